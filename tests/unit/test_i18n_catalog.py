"""The message catalogs (gettext .po files compiled with Babel) and Babel's locale data
behind the charts' text (issue 18)."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from salesforge.i18n import (
    LOCALES,
    catalog_path,
    compact_label_expr,
    compact_suffixes,
    extracted_messages,
    gettext,
    month_names,
    vega_locale,
    weekday_names,
)


@pytest.mark.parametrize("language", [lang for lang in LOCALES if lang != "en"])
def test_every_message_the_code_uses_is_translated(language):
    with catalog_path(language).open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m.string for m in catalog if m.id}
    used = extracted_messages()
    assert len(used) > 40
    missing = [m for m in used if not translated.get(m)]
    assert missing == [], f"untranslated in {language}: {missing}"
    unused = sorted(set(translated) - set(used))
    assert unused == [], f"catalog entries no code uses: {unused}"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == []


def test_translations_keep_their_placeholders():
    with catalog_path("id").open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id and "{" in message.id:
            names = sorted(part.split("}")[0] for part in message.id.split("{")[1:])
            assert sorted(part.split("}")[0] for part in message.string.split("{")[1:]) \
                == names, message.id


def test_lookups_in_both_languages():
    assert gettext("id")("Revenue") == "Pendapatan"
    assert gettext("id")("{days}-day average").format(days=28) == "rata-rata 28 hari"
    assert gettext("en")("Revenue") == "Revenue"
    with pytest.raises(ValueError, match="en, id"):
        gettext("fr")


def test_month_and_weekday_names_come_from_babel():
    assert month_names("id", "wide")[9] == "Oktober"
    assert weekday_names("id")[0] == "Sen" and weekday_names("en")[6] == "Sun"
    time = vega_locale("id")["time"]
    assert time["days"][0] == "Minggu" and time["months"][7] == "Agustus"
    number = vega_locale("id")["number"]
    assert (number["decimal"], number["thousands"]) == (",", ".")


def test_compact_amounts_use_the_locale_abbreviations_never_si_g():
    assert [s.strip() for _, s in compact_suffixes("id")] == ["T", "M", "jt", "rb"]
    assert [s for _, s in compact_suffixes("en")] == ["T", "B", "M", "K"]
    assert "'G'" not in compact_label_expr("en")
    assert "'\u00a0jt'" in compact_label_expr("id")
