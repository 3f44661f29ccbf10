"""Stage models: built-ins, label matching, suggestions and user TOML models."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from funnel_analytics.stages import (
    BUILTIN_MODELS,
    DEFAULT_MODEL,
    StageModelError,
    get_stage_model,
    load_stage_model,
)


def test_builtins_are_all_there() -> None:
    assert set(BUILTIN_MODELS) == {
        "six_state",
        "eight_stage",
        "four_stage",
        "six_stage",
        "five_step",
        "salesforce",
        "hubspot",
    }
    assert DEFAULT_MODEL.name == "six_state"


@pytest.mark.parametrize("name", list(BUILTIN_MODELS))
def test_builtin_model_shape(name: str) -> None:
    model = BUILTIN_MODELS[name]
    assert model.won.probability == 1.0
    probs = [s.probability for s in model.stages]
    assert probs == sorted(probs), "nominal probabilities never fall along the funnel"
    assert all(s.zh and s.en for s in model.stages)
    assert model.lost_labels and model.on_hold_labels


def test_six_state_matches_the_domain_table() -> None:
    m = get_stage_model("six_state")
    assert [(s.zh, s.en, s.probability) for s in m.stages] == [
        ("目标客户", "Target", 0.10),
        ("有效客户", "Qualified", 0.25),
        ("入围客户", "Shortlisted", 0.50),
        ("意向客户", "Committed", 0.75),
        ("接近赢单客户", "Near-win", 0.90),
        ("赢单客户", "Won", 1.0),
    ]
    # Every open state carries the checklist questions of domain.md §2a; Won too.
    assert [len(s.checklist) for s in m.stages] == [4, 3, 3, 5, 4, 2]
    assert m.stage("qualified").checklist[1].zh == "预算已落实"


def test_eight_stage_follows_the_procurement_steps() -> None:
    m = get_stage_model("eight_stage")
    assert [s.zh for s in m.stages] == [
        "客户规划与电话邀约",
        "客户拜访与初步调研",
        "提交初步方案",
        "方案演示与技术交流",
        "需求分析与正式方案设计",
        "项目评估",
        "商务谈判",
        "签约成交",
    ]
    assert m.stage("negotiation").probability > 0.75  # preferred vendor: odds above 75%


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("入围客户", ("shortlisted", "open")),
        ("Shortlisted", ("shortlisted", "open")),
        ("shortlisted", ("shortlisted", "open")),
        ("入围", ("shortlisted", "open")),
        ("50% 入围客户", ("shortlisted", "open")),
        ("50%入围客户", ("shortlisted", "open")),
        ("(75%) 意向客户", ("committed", "open")),
        ("意向客户（75%）", ("committed", "open")),
        ("3. Shortlisted", ("shortlisted", "open")),
        ("１０％ 目标客户", ("target", "open")),  # full-width digits and percent
        ("90%", ("near_win", "open")),
        ("  NEAR-WIN ", ("near_win", "open")),
        ("赢单客户", ("won", "won")),
        ("赢单", ("won", "won")),
        ("输单", (None, "lost")),
        ("Closed Lost", (None, "lost")),
        ("已搁置", (None, "on_hold")),
        ("On hold", (None, "on_hold")),
        ("谈判中", None),
        ("", None),
        (None, None),
    ],
)
def test_match_label(label: object, expected: tuple | None) -> None:
    assert DEFAULT_MODEL.match_label(label) == expected


def test_match_is_vectorised_and_keeps_the_index() -> None:
    values = pd.Series(["目标客户", None, "输单", "xx"], index=[10, 11, 12, 13])
    expected = pd.DataFrame(
        {"stage": ["target", None, None, None], "status": ["open", None, "lost", None]},
        index=[10, 11, 12, 13],
    )
    assert_frame_equal(DEFAULT_MODEL.match(values), expected, check_dtype=False)


@pytest.mark.parametrize(
    ("model", "label", "key"),
    [
        ("salesforce", "Id. Decision Makers", "id_decision_makers"),
        ("salesforce", "Proposal/Price Quote", "proposal_price_quote"),
        ("salesforce", "Closed Won", "closed_won"),
        ("hubspot", "appointmentscheduled", "appointmentscheduled"),
        ("hubspot", "Decision Maker Bought-In", "decisionmakerboughtin"),
        ("four_stage", "商务", "commercial"),
        ("six_stage", "立项", "approved"),
        ("five_step", "呈现价值", "present_value"),
        ("eight_stage", "商务谈判", "negotiation"),
    ],
)
def test_crm_and_other_models(model: str, label: str, key: str) -> None:
    assert get_stage_model(model).match_label(label)[0] == key


@pytest.mark.parametrize(
    ("value", "suggestion"),
    [
        ("Shortlistd", "shortlisted"),
        ("入围客", "shortlisted"),
        ("Qualifed", "qualified"),
        ("接近赢", "near_win"),
        ("zzzzzz", None),
        # Position evidence as well as spelling: an open-sounding value is never suggested as won
        # ("Engaging", "签约跟进" were once "Near-win?" and "赢单客户?"); outcomes by name.
        ("Engaging", None),
        ("签约跟进", None),
        ("Closed Won", "won"),
        ("丢单", "lost"),
        ("暂停", "on_hold"),
        ("70% 谈判", "committed"),
    ],
)
def test_suggest(value: str, suggestion: str | None) -> None:
    assert DEFAULT_MODEL.suggest(value) == suggestion


@pytest.mark.parametrize(
    ("model", "value", "suggestion"),
    [
        # Stage names other CRMs write (HubSpot, Pipedrive, Salesforce): English words that
        # share most of their letters with a stage name but no word with it are no evidence.
        ("six_state", "Contact Made", None),  # was "committed" (c, o, m, t, e, d shared)
        ("six_state", "Contract Sent", None),  # was "target customer"
        ("six_state", "Appointment Scheduled", None),  # was "qualified customer"
        ("six_state", "Proposal/Price Quote", None),
        ("eight_stage", "Engaging", None),  # was "negotiation"
        ("eight_stage", "Perception Analysis", None),  # was "preliminary proposal"
        ("eight_stage", "Qualification", None),  # was "account planning"
        # A stage name's words, spelt nearly alike, in a longer value.
        ("six_state", "Qualified To Buy", "qualified"),
        ("six_state", "Target Customers", "target"),
        ("eight_stage", "Negotiations Started", "negotiation"),
        ("salesforce", "Proposal Made", "proposal_price_quote"),
        # A word two stages share ("formal proposal", "preliminary proposal"): no guess.
        ("eight_stage", "Proposal", None),
    ],
)
def test_suggest_compares_english_by_words(model: str, value: str, suggestion: str | None) -> None:
    assert get_stage_model(model).suggest(value) == suggestion


MAVEN = b"""
name = "maven"
[[stages]]            # in order; the last one is the won stage
key = "prospecting"
en = "Prospecting"
zh = "\xe6\xbd\x9c\xe5\x9c\xa8\xe5\xae\xa2\xe6\x88\xb7"
probability = 0.2
aliases = ["Prospect"]
max_days = 30
checklist = ["Budget known", {en = "Champion", zh = "\xe5\x86\x85\xe7\xba\xbf"}]
[[stages]]
key = "won"
en = "Won"
probability = 1.0
[outcomes]
lost = ["Lost", "Closed Lost", "\xe8\xbe\x93\xe5\x8d\x95"]
on_hold = ["On hold", "\xe5\xb7\xb2\xe6\x90\x81\xe7\xbd\xae"]
"""


def test_toml_model_from_the_issue(tmp_path) -> None:
    path = tmp_path / "maven.toml"
    path.write_bytes(MAVEN)
    m = get_stage_model(str(path))
    assert m.name == "maven"
    assert m.keys == ("prospecting", "won")
    assert m.stage("prospecting").zh == "潜在客户"
    assert m.stage("won").zh == "Won"  # zh falls back to en
    assert m.stage("prospecting").max_days == 30
    assert [i.en for i in m.stage("prospecting").checklist] == ["Budget known", "Champion"]
    assert m.match_label("Prospect") == ("prospecting", "open")
    assert m.match_label("输单") == (None, "lost")
    assert m.match_label("已搁置") == (None, "on_hold")
    assert load_stage_model(MAVEN) == m


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (b"name = 'x'\n", "[[stages]]"),
        (
            b"[[stages]]\nkey='a'\nprobability=0.5\n[[stages]]\nkey='a'\nprobability=1.0\n",
            "repeats",
        ),
        (b"[[stages]]\nkey='a'\nprobability=1.5\n[[stages]]\nkey='b'\n", "not in [0, 1]"),
        (b"[[stages]]\nkey='a'\n[[stages]]\nkey='b'\n", "needs a probability"),
        (b"[[stages\n", "not valid TOML"),
        (b"[[stages]]\nen='no key'\nprobability=0.1\n[[stages]]\nkey='b'\n", "needs a key"),
        (b"[[stages]]\nkey='a'\nprobability=0.1\nmax_days=-3\n[[stages]]\nkey='b'\n", "max_days"),
    ],
)
def test_bad_toml_is_refused_with_a_message(text: bytes, fragment: str) -> None:
    with pytest.raises(StageModelError, match=None) as info:
        load_stage_model(text)
    assert fragment in str(info.value)


def test_unknown_model_name() -> None:
    with pytest.raises(StageModelError, match="unknown stage model"):
        get_stage_model("maverick")
