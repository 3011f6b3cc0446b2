"""Languages: detection, text without spaces (Chinese, Japanese), and scripts the toolkit cannot split."""

from __future__ import annotations

import pytest

from toolkit import load_articles, summarize
from toolkit.check.verifier import Verifier
from toolkit.errors import SourceError
from toolkit.ingest.passages import build_corpus
from toolkit.text.claims import tokenize
from toolkit.text.language import assess, detect_language, is_cjk, script_of, support_problem
from toolkit.text.sentences import split_sentences, words
from toolkit.text.similarity import content_terms

# A made-up flood story in three Chinese articles (title line, then paragraphs; no spaces anywhere).
ZH = [
    "河水决堤 小镇被洪水围困\n\n周一，青河在连续两天暴雨后决堤，洪水围困了河畔小镇南坪。"
    "官员表示，镇上唯一的公路桥已经关闭。\n\n"
    "地区应急部门称，至少800人在夜间被疏散。另有两人下落不明。",
    "暴雨致南坪与外界隔绝\n\n周一，青河在创纪录的降雨后泛滥，南坪与外界隔绝。\n\n应急部门表示，约900名居民已离开家园。"
    "目前已确认一人死亡。",
    "军方向南坪派出卡车\n\n周一，军方向南坪派出30辆卡车，运送饮用水和食品。\n\n居民说，水位在不到一小时内上涨了一米多。",
]

SAMPLES = {
    "en": "Officials said the only road bridge in the town had been closed after two days of heavy rain.",
    "de": "Die Behörden teilten mit, dass die einzige Straßenbrücke nach zwei Tagen Regen gesperrt wurde.",
    "fr": "Les autorités ont indiqué que le seul pont routier avait été fermé après deux jours de pluie.",
    "es": "Las autoridades dijeron que el único puente de la ciudad fue cerrado tras dos días de lluvias.",
    "ru": "Власти сообщили, что единственный автомобильный мост в городе закрыт после двух дней дождей.",
    "pl": "Władze poinformowały, że jedyny most drogowy w mieście został zamknięty po dwóch dniach deszczy.",
    "zh": "官员表示，镇上唯一的公路桥在连续两天暴雨后已经关闭。",
    "ja": "当局によると、町で唯一の道路橋は二日間の豪雨の後に閉鎖された。",
    "ko": "당국은 이틀간의 폭우 끝에 마을의 유일한 도로 다리가 폐쇄되었다고 밝혔다.",
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_detect_language(lang: str) -> None:
    assert detect_language(SAMPLES[lang]) == lang


def test_too_little_text_has_no_language() -> None:
    assert detect_language("Send") == "" and detect_language("") == ""


def test_scripts() -> None:
    assert is_cjk(SAMPLES["zh"]) and is_cjk(SAMPLES["ja"]) and not is_cjk(SAMPLES["ko"])
    assert script_of(SAMPLES["ru"]) == "cyrillic" and script_of(SAMPLES["ko"]) == "hangul"
    assert support_problem(SAMPLES["zh"]) == ""
    assert "thai" in support_problem("แม่น้ำเอ่อล้นตลิ่งหลังฝนตกหนักสองวัน")


def test_chinese_sentences_split_without_spaces() -> None:
    text = "周一，青河决堤。官员表示，公路桥已经关闭！“我们会重建。”他说？最后一句"
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "周一，青河决堤。",
        "官员表示，公路桥已经关闭！",
        "“我们会重建。”",
        "他说？",
        "最后一句",
    ]


def test_each_chinese_character_is_a_word_for_budgets() -> None:
    assert words("青河决堤 in 2025") == ["青", "河", "决", "堤", "in", "2025"]


def test_cjk_terms_are_character_bigrams() -> None:
    assert content_terms("青河决堤，800人") == ["青河", "河决", "决堤", "800", "人"]
    assert [t.low for t in tokenize("约900名居民")] == ["约", "900", "名居", "居民"]


def test_chinese_cluster_gives_a_briefing_with_titles_and_languages() -> None:
    briefing = summarize([{"text": t} for t in ZH], engine="extractive", words=40)
    assert briefing.sentences and all(s.citations for s in briefing.sentences)
    assert sum(len(words(s.text)) for s in briefing.sentences) <= 40
    assert [s.title for s in briefing.sources] == [
        "河水决堤 小镇被洪水围困",
        "暴雨致南坪与外界隔绝",
        "军方向南坪派出卡车",
    ]
    assert {s.language for s in briefing.sources} == {"zh"}
    assert all(p.sentences for s in briefing.sources for p in s.passages)


def test_verify_tells_a_copied_clause_from_a_changed_number() -> None:
    corpus = build_corpus(load_articles([{"text": t} for t in ZH]))
    home = next(p.id for s in corpus.sources for p in s.passages if "900名居民" in p.text)
    verifier = Verifier(corpus)
    copied = verifier.check_sentence("约900名居民已离开家园。", (home,))
    changed = verifier.check_sentence("约3000名居民已离开家园。", (home,))
    assert copied.status == "supported"
    assert changed.status == "contradicted" and "3000" in changed.reason


def test_a_script_that_cannot_be_split_is_said_plainly() -> None:
    thai = "วันจันทร์ แม่น้ำเอ่อล้นตลิ่งหลังฝนตกหนักสองวัน ทำให้เมืองถูกน้ำท่วมล้อมรอบ เจ้าหน้าที่กล่าวว่าสะพานถูกปิดแล้ว"
    with pytest.raises(SourceError, match="thai script is not supported") as info:
        summarize([{"text": thai}, {"text": thai + " ประชาชนถูกอพยพ"}], engine="extractive")
    assert "\n" not in str(info.value)


def test_function_words_of_other_languages_are_stop_words_english_content_words_are_not() -> None:
    assert content_terms("Die Straße der Stadt und das Haus") == ["die", "straße", "stadt", "haus"]
    assert content_terms("Les autorités et le pont") == ["autorité", "pont"]  # (the English stemmer)
    assert "war" in content_terms("The war will end") and "die" in content_terms("Many will die")


def test_sources_that_disagree_on_a_number_in_chinese_are_a_conflict() -> None:
    a = "河水决堤\n\n周一，青河决堤，洪水围困了小镇南坪。\n\n应急部门表示，洪水已造成3人死亡，另有多人受伤。"
    b = "南坪被隔绝\n\n周一，青河泛滥，南坪与外界隔绝。\n\n应急部门表示，洪水已造成5人死亡，另有多人受伤。"
    report = summarize([{"text": a}, {"text": b}], engine="extractive", words=80).report
    assert report is not None
    (conflict,) = [c for c in report.conflicts if c.kind == "number"]
    assert {side.value for side in conflict.sides} == {"3", "5"}


def test_a_compressed_chinese_clause_is_supported_and_a_changed_word_is_not() -> None:
    """Character bigrams across the seam of a shortened copy ("青河决堤" from "青河在...后决堤") are not
    missing words; a replaced word ("淹没" for "围困") is."""
    corpus = build_corpus(load_articles([{"text": t} for t in ZH]))
    home = next(p.id for s in corpus.sources for p in s.passages if "河畔小镇南坪" in p.text)
    verifier = Verifier(corpus)
    shortened = verifier.check_sentence("周一，青河决堤，洪水围困了南坪。", (home,))
    changed = verifier.check_sentence("周一，青河决堤，洪水淹没了南坪。", (home,))
    assert shortened.status == "supported", shortened.reason
    assert changed.status != "supported", changed.reason
    assert "淹没" in changed.reason


def test_an_unsure_opening_is_read_past() -> None:
    """The model first reads a short opening; a menu line it is unsure of sends it to the whole sample."""
    text = "Home | News | Sport | Weather | Login | Menu | Search | " * 10 + " ".join([SAMPLES["de"]] * 20)
    assert detect_language(text) == "de"
    assert detect_language(SAMPLES["de"] + " " + "Home | News | Sport | Weather | " * 40) == "de"


@pytest.mark.parametrize("text", [*SAMPLES.values(), "Send", "", "แม่น้ำเอ่อล้นตลิ่งหลังฝนตกหนักสองวัน"])
def test_assess_is_detect_language_and_support_problem(text: str) -> None:
    assert assess(text) == (detect_language(text), support_problem(text))
