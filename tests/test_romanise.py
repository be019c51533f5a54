"""Ukraine's national romanisation (geomap/_romanise.py, data/curated/kmu2010.toml): the examples
of the resolution's own table, and agreement with an independent implementation (translitua's,
which made the KMU spellings of the 29,700 settlements in gazetteer/ua_settlements.json)."""

from __future__ import annotations

import json

import pytest

from geomap._paths import data_path
from geomap._romanise import kmu2010

# examples from the table of Cabinet of Ministers resolution No. 55 (27 January 2010)
EXAMPLES = [("Алушта", "Alushta"), ("Андрій", "Andrii"), ("Борщагівка", "Borshchahivka"),
            ("Вінниця", "Vinnytsia"), ("Гадяч", "Hadiach"), ("Згурський", "Zghurskyi"), ("Ґалаґан", "Galagan"),
            ("Донецьк", "Donetsk"), ("Рівне", "Rivne"), ("Єнакієве", "Yenakiieve"), ("Гаєвич", "Haievych"),
            ("Короп'є", "Koropie"), ("Житомир", "Zhytomyr"), ("Закарпаття", "Zakarpattia"), ("Медвин", "Medvyn"),
            ("Іршава", "Irshava"), ("Їжакевич", "Yizhakevych"), ("Кадиївка", "Kadyivka"), ("Мар'їне", "Marine"),
            ("Йосипівка", "Yosypivka"), ("Стрий", "Stryi"), ("Олексій", "Oleksii"), ("Київ", "Kyiv"),
            ("Миколаїв", "Mykolaiv"), ("Ніжин", "Nizhyn"), ("Одеса", "Odesa"), ("Решетилівка", "Reshetylivka"),
            ("Ужгород", "Uzhhorod"), ("Фастів", "Fastiv"), ("Харків", "Kharkiv"), ("Біла Церква", "Bila Tserkva"),
            ("Чернівці", "Chernivtsi"), ("Шостка", "Shostka"), ("Щербухи", "Shcherbukhy"), ("Гоща", "Hoshcha"),
            ("Юрій", "Yurii"), ("Корюківка", "Koriukivka"), ("Яготин", "Yahotyn"), ("Костянтин", "Kostiantyn"),
            ("Знам'янка", "Znamianka"), ("Феодосія", "Feodosiia"), ("Розгон", "Rozghon")]


@pytest.mark.parametrize("ukrainian, latin", EXAMPLES)
def test_the_resolutions_examples(ukrainian, latin):
    assert kmu2010(ukrainian) == latin


def test_agrees_with_the_settlements_kmu_spellings():
    settlements = json.loads(data_path("gazetteer", "ua_settlements.json").read_text(encoding="utf-8"))
    # villages and towns: their first spelling is translitua's KMU 2010 (raions and hromadas add
    # " raion"/" hromada"); translitua capitalises after every hyphen ("Hai-Za-Rudoiu"), so case aside
    named = [r for r in settlements if r.get("feature") in ("village", "rural settlement", "city")]
    assert len(named) > 25_000
    disagree = [(r["uk"], r["names"][0], kmu2010(r["uk"])) for r in named
                if kmu2010(r["uk"]).casefold() != r["names"][0].casefold()]
    assert disagree == []


def test_other_text_passes_through():
    assert kmu2010("Kyiv, 2025") == "Kyiv, 2025"
    assert kmu2010("ЯГОТИН") == "YAHOTYN"
