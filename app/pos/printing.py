"""Printing receipts on ESC/POS printers through python-escpos.

A terminal's printer is a URI plus three settings:

    tcp://192.168.1.50:9100             network printer (raw port 9100)
    usb://0416:5011                      USB printer by vendor:product id (hex), ?in_ep=0x82&out_ep=0x01
    serial:///dev/ttyUSB0?baudrate=9600  serial / USB-serial printer
    file:///dev/usb/lp0                  a device file (Linux usblp, parallel port) or any file

    ?profile=TM-T88V   a python-escpos printer profile (cut, native QR, ...); default "default"
    ?columns=32|48     58 mm paper has 32 columns, 80 mm paper 48
    ?encoding=gbk|gb18030
    ?timeout=5         seconds to connect / write

`PrinterConfig.parse(uri, profile=..., columns=..., encoding=...)` reads it (keyword arguments
win over the query). `print_receipt(receipt, config)` renders the receipt and sends the bytes in
one write; when the printer cannot be reached it raises `PrinterOffline` (code
`printer_offline`). The sale never depends on it: the checkout commits first, then prints, and
the till offers a reprint.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from escpos.capabilities import CAPABILITIES
from escpos.exceptions import DeviceNotFoundError
from escpos.exceptions import Error as EscposError
from escpos.printer import Network
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError, InvalidInput
from app.pos import escpos_text
from app.pos.receipts import COLUMNS, Receipt, render_escpos

log = logging.getLogger(__name__)

SCHEMES = ("tcp", "usb", "serial", "file")
QUERY_KEYS = {"profile", "columns", "encoding", "timeout", "baudrate", "in_ep", "out_ep"}
DEFAULT_TIMEOUT = 5.0


class PrinterOffline(DomainError):
    """The printer could not be reached or refused the data. The sale is not affected."""

    code = "printer_offline"
    status = 503
    default_message = _l("打印失败：打印机未连接或无响应。请检查电源、纸张和连线后点击“重打小票”。")


class NetworkPrinter(Network):
    """python-escpos's Network printer, connecting with `socket.create_connection`.

    Network.open() in python-escpos 3.1 is IPv4 only and leaves the socket open when the
    connection fails; create_connection resolves IPv6 too and closes the socket on failure.
    """

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        try:
            self.device = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            self.device = None
            raise DeviceNotFoundError(f"Could not open socket for {self.host}:{self.port}: {exc}") from exc


def profiles() -> list[str]:
    return sorted(CAPABILITIES["profiles"])


def _bad(message: str, uri: str) -> InvalidInput:
    return InvalidInput(message, details={"printer": uri})


def _int(value: str, what: str, uri: str, *, base: int = 10) -> int:
    try:
        return int(value, base)
    except (TypeError, ValueError):
        raise _bad(_("打印机设置中的%(what)s不是数字：%(value)s", what=what, value=value), uri) from None


@dataclass(frozen=True)
class PrinterConfig:
    scheme: str
    host: str | None = None
    port: int = 9100
    vendor_id: int | None = None
    product_id: int | None = None
    in_ep: int = 0x82
    out_ep: int = 0x01
    device: str | None = None
    baudrate: int = 9600
    profile: str | None = None
    columns: int = 32
    encoding: str = "gbk"
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def parse(cls, uri: str, *, profile: str | None = None, columns: int | str | None = None,
              encoding: str | None = None, timeout: float | None = None) -> PrinterConfig:
        text = (uri or "").strip()
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            raise _bad(_("打印机地址应以 tcp://、usb://、serial:// 或 file:// 开头：%(uri)s", uri=text), text)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        unknown = sorted(set(query) - QUERY_KEYS)
        if unknown:
            raise _bad(_("打印机设置中有未知参数：%(keys)s", keys=", ".join(unknown)), text)
        settings: dict = {"scheme": scheme}

        if scheme == "tcp":
            try:
                host, port = parts.hostname, parts.port
            except ValueError:
                raise _bad(_("打印机端口不正确：%(uri)s", uri=text), text) from None
            if not host:
                raise _bad(_("网络打印机缺少主机地址：%(uri)s", uri=text), text)
            settings.update(host=host, port=port or 9100)
        elif scheme == "usb":
            ids = (parts.netloc + parts.path).strip("/").split(":")
            if len(ids) != 2 or not all(ids):
                raise _bad(_("USB 打印机应写作 usb://厂商ID:产品ID（十六进制）：%(uri)s", uri=text), text)
            settings.update(vendor_id=_int(ids[0], _("厂商ID"), text, base=16),
                            product_id=_int(ids[1], _("产品ID"), text, base=16))
            for key in ("in_ep", "out_ep"):
                if key in query:
                    settings[key] = _int(query[key], key, text, base=16)
        else:  # serial, file: the device path (serial://COM3 on Windows puts it in the netloc)
            device = unquote(parts.path if not parts.netloc else parts.netloc + parts.path)
            if not device:
                raise _bad(_("打印机缺少设备路径：%(uri)s", uri=text), text)
            settings["device"] = device
            if scheme == "serial" and "baudrate" in query:
                settings["baudrate"] = _int(query["baudrate"], _("波特率"), text)

        chosen_profile = profile or query.get("profile") or None
        if chosen_profile and chosen_profile not in CAPABILITIES["profiles"]:
            raise _bad(_("未知的打印机型号配置：%(profile)s", profile=chosen_profile), text)
        chosen_columns = _int(str(columns or query.get("columns") or 32), _("列数"), text)
        if chosen_columns not in COLUMNS:
            raise _bad(_("每行字数只能是 32（58 毫米纸）或 48（80 毫米纸）"), text)
        try:
            chosen_encoding = escpos_text.check_encoding(encoding or query.get("encoding") or "gbk")
        except ValueError:
            raise _bad(_("打印机编码只能是 GBK 或 GB18030"), text) from None
        chosen_timeout = timeout if timeout is not None else query.get("timeout", DEFAULT_TIMEOUT)
        try:
            chosen_timeout = float(chosen_timeout)
        except (TypeError, ValueError):
            chosen_timeout = -1
        if not 0 < chosen_timeout <= 120:
            raise _bad(_("打印机超时应为 0 到 120 秒"), text)
        settings.update(profile=chosen_profile, columns=chosen_columns, encoding=chosen_encoding,
                        timeout=chosen_timeout)
        return cls(**settings)

    def describe(self) -> str:
        if self.scheme == "tcp":
            host = f"[{self.host}]" if self.host and ":" in self.host else self.host
            return f"tcp://{host}:{self.port}"
        if self.scheme == "usb":
            return f"usb://{self.vendor_id:04x}:{self.product_id:04x}"
        return f"{self.scheme}://{self.device}"

    def make_printer(self):
        """The python-escpos printer object for this config (not yet opened)."""
        from escpos import printer as escpos_printer

        common = {"profile": self.profile}
        if self.scheme == "tcp":
            return NetworkPrinter(self.host, port=self.port, timeout=self.timeout, **common)
        if self.scheme == "usb":
            return escpos_printer.Usb(self.vendor_id, self.product_id, timeout=int(self.timeout * 1000),
                                      in_ep=self.in_ep, out_ep=self.out_ep, **common)
        if self.scheme == "serial":
            return escpos_printer.Serial(self.device, baudrate=self.baudrate, timeout=self.timeout,
                                         **common)
        return escpos_printer.File(self.device, **common)


def send(data: bytes, config: PrinterConfig) -> int:
    """Open the printer, write `data` in one go, close it. Returns the number of bytes sent."""
    printer = config.make_printer()
    try:
        printer.open()
        printer._raw(data)
        return len(data)
    except (EscposError, OSError, ValueError) as exc:  # socket, serial, USB, file: all OSError
        log.warning("printing on %s failed: %s", config.describe(), exc)
        raise PrinterOffline(details={"printer": config.describe(), "reason": str(exc)}) from exc
    finally:
        try:
            printer.close()
        except (EscposError, OSError, ValueError) as exc:
            log.warning("closing printer %s: %s", config.describe(), exc)


def print_receipt(receipt: Receipt, config: PrinterConfig) -> int:
    """Render `receipt` for `config`'s paper, encoding and profile, and print it."""
    data = render_escpos(receipt, columns=config.columns, encoding=config.encoding, profile=config.profile)
    return send(data, config)
