import pytest

from app.vouchers import codes
from app.vouchers.errors import VoucherUnknown
from app.vouchers.services import normalise_code


def test_new_codes_are_canonical_random_and_grouped():
    seen = {codes.new_code() for _ in range(2000)}
    assert len(seen) == 2000
    for code in list(seen)[:50]:
        assert len(code) == 21 and codes.canonical(code) == code
        grouped = codes.group(code)
        assert len(grouped) == 25 and grouped.count("-") == 4
        assert codes.canonical(grouped) == code


def test_a_code_carries_at_least_100_random_bits():
    assert codes.DATA_LENGTH * 5 >= 100
    # every data position takes all 32 symbols over many codes (no fixed or biased positions)
    sample = [codes.new_code() for _ in range(3000)]
    for pos in range(codes.DATA_LENGTH):
        assert len({c[pos] for c in sample}) == 32


@pytest.mark.parametrize("trial", range(40))
def test_check_symbol_catches_every_single_substitution_and_adjacent_swap(trial):
    code = codes.new_code()
    for pos in range(codes.CODE_LENGTH):
        alphabet = codes.ALPHABET if pos < codes.DATA_LENGTH else codes.CHECK_ALPHABET
        for ch in alphabet:
            if ch == code[pos]:
                continue
            typo = code[:pos] + ch + code[pos + 1:]
            with pytest.raises(codes.BadCode):
                codes.canonical(typo)
    for pos in range(codes.CODE_LENGTH - 1):
        if code[pos] == code[pos + 1]:
            continue
        swapped = code[:pos] + code[pos + 1] + code[pos] + code[pos + 2:]
        with pytest.raises(codes.BadCode):
            codes.canonical(swapped)


def test_lenient_input():
    code = codes.new_code()
    grouped = codes.group(code)
    messy = " " + grouped.lower().replace("-", " - ") + "  "
    assert codes.canonical(messy) == code
    # I/L read as 1 and O as 0; full-width characters from a Chinese IME are folded
    with_ones = code.replace("1", "L")
    assert codes.canonical(with_ones) == code
    assert codes.canonical(code.replace("0", "o")) == code
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in code)
    assert codes.canonical(fullwidth) == code
    # a scanned QR gives the whole URL
    assert codes.canonical(f"https://cishan.example/v/{code}?utm=x") == code


@pytest.mark.parametrize("bad", ["", "ABC", "X" * 21, "0" * 20 + "U" + "0", "!" * 21])
def test_garbage_is_refused(bad):
    with pytest.raises(codes.BadCode):
        codes.canonical(bad)


def test_normalise_code_raises_voucher_unknown_without_touching_the_database(app_ctx, monkeypatch):
    from app.extensions import db

    def no_db(*a, **k):  # pragma: no cover - must not be reached
        raise AssertionError("database touched")

    monkeypatch.setattr(db.session, "execute", no_db)
    monkeypatch.setattr(db.session, "scalar", no_db)
    code = codes.new_code()
    typo = code[:3] + ("A" if code[3] != "A" else "B") + code[4:]
    with pytest.raises(VoucherUnknown) as exc:
        normalise_code(typo)
    assert exc.value.code == "voucher_unknown"
    assert normalise_code(codes.group(code)) == code
