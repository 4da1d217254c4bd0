"""Demo recipients: a few hundred realistic people in Xuchang's districts (valid ID numbers)."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select

from app.core.ids import make_resident_id
from app.extensions import db
from app.recipients import services
from app.recipients.models import Recipient

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "秀兰桂英玉珍凤霞淑芳建国建华志强德明国庆春生秋菊金花长顺海涛丽娟红梅新民振华小燕宝山文忠桂芝"
AREAS = {
    "411002": [("七里店街道", ["文峰社区", "七里店社区", "建设路社区"]), ("西大街道", ["西湖社区", "大西社区"])],
    "411003": [("将官池镇", ["将官池村", "牛庄村"]), ("尚集镇", ["尚集村", "东尚村"])],
    "411024": [("安陵镇", ["花都社区", "安陵社区"]), ("马栏镇", ["马栏村"])],
    "411081": [("钧台街道", ["药城社区", "钧台社区"]), ("夏都街道", ["禹王社区"])],
    "411082": [("建设路街道", ["建设社区", "人民社区"]), ("长兴街道", ["长兴社区"])],
}
COUNT = 300


def seed(echo) -> None:
    if db.session.scalar(select(func.count()).select_from(Recipient)) >= COUNT:
        echo("demo: recipients already present")
        return
    rng = random.Random(2026)
    made = 0
    for i in range(COUNT):
        district = list(AREAS)[i % len(AREAS)]
        township, communities = rng.choice(AREAS[district])
        # elderly people often carry a county code created after their birth (see core.regions)
        birth = dt.date(rng.randint(1935, 2005), rng.randint(1, 12), rng.randint(1, 28))
        number = make_resident_id(district, birth, rng.randint(1, 999))
        if services.find_by_id_number(number) is not None:
            continue
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
        category = rng.choices(("dibao", "tekun", "dibao_edge"), weights=(70, 20, 10))[0]
        status = rng.choices(("active", "suspended", "exited"), weights=(92, 4, 4))[0]
        services.create_recipient(name=name, id_number=number, category=category, district_code=district,
                                  township=township, community=rng.choice(communities),
                                  phone=f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
                                  household_size=rng.randint(1, 5), status=status)
        made += 1
    echo(f"demo: {made} recipients")
