"""Item 14 of issue 11: the registry's district filter is chosen by name."""

from __future__ import annotations

import re

from app.core import regions
from app.extensions import db
from tests.vouchers import factories


def _names(html: str) -> list[str]:
    return re.findall(r"<td><a href=\"/recipients/\d+\">([^<]+)</a>", html)


def test_the_district_filter_is_a_select_of_names(app, login):
    with app.app_context():
        factories.recipient("魏都人", district_code="411002")
        factories.recipient("鄢陵人", district_code="411024")
        factories.recipient("外地人", district_code="410102")  # a district of the data outside the city
        db.session.commit()
    c = login("federation")
    html = c.get("/recipients/").get_data(as_text=True)
    select = html[html.index('<select id="district"'):]
    select = select[:select.index("</select>")]
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]+)</option>', select)
    codes = [code for code, _name in options]
    # the city's current districts from the region table, and any district of the data
    assert {"411002", "411003", "411024", "411025", "411081", "411082", "410102"} <= set(codes)
    assert "411023" not in codes and "411001" not in codes  # 许昌县 is gone (2016), 市辖区 is no district
    assert ("411002", "魏都区（411002）") in options and ("410102", "中原区（410102）") in options
    assert 'id="district" name="district"' in select and "区县代码" not in html

    by_code = c.get("/recipients/?district=411024").get_data(as_text=True)
    by_name = c.get("/recipients/?district=鄢陵县").get_data(as_text=True)
    assert "鄢*人" in by_code and "魏*人" not in by_code and "外*人" not in by_code
    assert _names(by_code) == _names(by_name)
    assert '<option value="411024" selected>' in by_name
    assert "<td>鄢陵县</td>" in by_code  # the list shows the district's name
    unknown = c.get("/recipients/?district=火星县").get_data(as_text=True)
    assert _names(unknown) == [] and "没有名为“火星县”的区县" in unknown


def test_a_district_limited_user_sees_only_their_district(app, login):
    with app.app_context():
        factories.recipient("本区人", district_code="411002")
        factories.recipient("他区人", district_code="411024")
        db.session.commit()
    c = login("federation", district_code="411002")
    html = c.get("/recipients/?district=鄢陵县").get_data(as_text=True)
    assert "本*人" in html and "他*人" not in html and '<select id="district"' not in html


def test_current_districts_of_a_city():
    assert regions.current_districts("4110") == ["411002", "411003", "411024", "411025", "411081", "411082"]
