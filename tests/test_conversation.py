from __future__ import annotations

import pytest

from operatorx.agent.conversation import Conversation, asks_repeat, looks_like_follow_up
from operatorx.errors import ValidationFailed
from operatorx.schemas import EsSearch, NmapScan, Reply

SCAN = NmapScan(targets=["127.0.0.5"], ports="22,80,443")
SEARCH = EsSearch(since="now-24h", where=[{"field": "dns.query.name", "value": "evil.example"}])


@pytest.mark.parametrize(
    "question",
    [
        "same for 127.0.0.6",
        "only 443",
        "make it the last 7 days",
        "add version detection",
        "now without the DNS filter",
        "What about 127.0.0.9?",
        "do the same for localhost",
        "run it again with OS detection",
        "exclude 127.0.0.7 from that scan",
    ],
)
def test_follow_up_wording(question):
    assert looks_like_follow_up(question)


@pytest.mark.parametrize(
    "question",
    ["scan 127.0.0.1 for web ports", "top 10 destination ports today", "which hosts are up in 127.0.0.0/24"],
)
def test_new_requests_are_not_follow_ups(question):
    assert not looks_like_follow_up(question)


def test_last_call_and_previous():
    conv = Conversation()
    assert conv.last_call is None and conv.previous_for("same for 127.0.0.6") is None
    conv.add_call("scan 127.0.0.5 for ssh and web", SCAN)
    conv.add_reply("and the moon?", Reply(kind="refuse", message="No."))
    assert conv.last_call is SCAN  # a reply does not replace the call
    assert conv.previous_for("same for 127.0.0.6") == SCAN.compact()
    assert conv.previous_for("top 10 ports today") is None
    assert conv.previous_for("top 10 ports today", follow_up=True) == SCAN.compact()
    assert conv.previous_for("only 443", follow_up=False) is None
    conv.add_call("dns lookups of evil.example today", SEARCH)
    assert conv.last_call is SEARCH  # the new call replaces it


def test_add_call_refuses_a_reply():
    with pytest.raises(TypeError):
        Conversation().add_call("q", Reply(message="x"))


def test_json_round_trip():
    conv = Conversation()
    conv.add_call("scan 127.0.0.5 for ssh and web", SCAN)
    conv.set_result("sha256:abc")
    conv.add_reply("scan the server", Reply(kind="clarify", message="Which host?"))
    conv.add("dns lookups of evil.example today", SEARCH)
    back = Conversation.from_json(conv.to_json())
    assert [t.question for t in back.turns] == [t.question for t in conv.turns]
    assert [t.plan for t in back.turns] == [t.plan for t in conv.turns]
    assert back.turns[0].result_digest == "sha256:abc"
    assert back.last_call == SEARCH


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"turns": []}',
        '{"format": "operatorx.conversation/1", "turns": [{"plan": {"tool": "none"}}]}',
        '{"format": "operatorx.conversation/1", "turns": [{"question": "q", "plan": {"tool": "shell"}}]}',
    ],
)
def test_damaged_files_are_refused(text):
    with pytest.raises(ValidationFailed):
        Conversation.from_json(text)


@pytest.mark.parametrize("question", ["run it again", "Same again, please.", "ok go ahead", "redo that scan",
                                      "can you rerun the search", "once more", "again"])
def test_a_bare_request_to_run_the_call_again(question):
    assert asks_repeat(question)


@pytest.mark.parametrize("question", ["now repeat it as a FIN scan", "run it again on 10.0.0.6", "same for yesterday",
                                      "again but faster", "also check postgres", "", "?"])
def test_a_follow_up_that_asks_for_a_change_is_no_bare_repeat(question):
    assert not asks_repeat(question)


def test_a_follow_up_that_names_only_what_the_call_has():
    from operatorx.agent.conversation import names_only_what_it_has

    scan = {"tool": "nmap", "targets": ["192.168.0.0/24"], "exclude": ["192.168.0.37"], "max_rate": 500}
    assert names_only_what_it_has("No more than 500 packets per second", scan)
    assert names_only_what_it_has("but not 192.168.0.37 thanks!", scan)
    assert not names_only_what_it_has("drop the 192.168.0.37 exclusion", scan)  # asks to remove it
    assert not names_only_what_it_has("also skip 192.168.0.38", scan)
    assert not names_only_what_it_has("host timeout 1 minute", {**scan, "timing": 1})  # a lone digit says little
    assert not names_only_what_it_has("faster please", scan)
