"""Full-text matches (text, text_any, phrase), datetime ranges, has_vector and scroll order_by
through qdrant-client against the real server, each answer checked against the same
condition computed in Python (tokenizers and datetime parsing written here from the Qdrant
definitions, with the standard library's datetime)."""
import random
from datetime import date, datetime, timedelta, timezone

import pytest
import requests
from qdrant_client import models
from qdrant_client.http.exceptions import UnexpectedResponse

F = models.FieldCondition
NAME = "textdt"
N = 300
WORDS = ["Red", "red", "fox", "Fox!", "quick-brown", "a", "ab", "über", "naïve", "x1", "2024", "jumps", "LONGWORDS"]
SEPARATORS = [" ", ", ", "-", "  ", ". "]
ORIGIN = datetime(2024, 1, 1, tzinfo=timezone.utc)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# The tokenizer of each indexed text key: (kind, lowercase, min_token_len, max_token_len).
# `notes` has no index, so its conditions match substrings, as Qdrant's do.
TOKENIZERS = {"body": ("word", True, None, None), "title": ("whitespace", False, 2, 8)}
INDEXED = set(TOKENIZERS)


def tokens(text, kind, lowercase, minimum, maximum):
    if kind == "word":
        pieces, current = [], ""
        for ch in text:
            if ch.isalnum():
                current += ch
            else:
                pieces.append(current)
                current = ""
        pieces.append(current)
    else:
        pieces = text.split()
    kept = [p for p in pieces if p and (minimum is None or len(p) >= minimum) and (maximum is None or len(p) <= maximum)]
    return [p.lower() for p in kept] if lowercase else kept


def strings_at(payload, key):
    value = payload.get(key)
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str)]


def text_matches(payload, key, mode, query):
    if key not in INDEXED:
        # Qdrant without a full-text index: substrings of each value, byte for byte.
        values = strings_at(payload, key)
        if mode == "text_any":
            return any(word in v for word in query.split() for v in values)
        return any(query in v for v in values)
    tokenizer = TOKENIZERS[key]
    wanted = tokens(query, *tokenizer)
    if not wanted:
        return False
    documents = [tokens(v, *tokenizer) for v in strings_at(payload, key)]
    present = {t for doc in documents for t in doc}
    if mode == "text":
        return all(t in present for t in wanted)
    if mode == "text_any":
        return any(t in present for t in wanted)
    return any(doc[i:i + len(wanted)] == wanted for doc in documents for i in range(len(doc) - len(wanted) + 1))


def micros(moment):
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def parse_datetime(text):
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def datetime_text(rng):
    moment = ORIGIN + timedelta(days=rng.randint(-8, 35), seconds=rng.randint(0, 86_399))
    kind = rng.randrange(6)
    if kind == 0:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == 1:
        return moment.strftime("%Y-%m-%d")
    if kind == 2:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if kind == 3:
        return moment.astimezone(timezone(timedelta(hours=2))).strftime("%Y-%m-%dT%H:%M:%S.250000+02:00")
    if kind == 4:
        return moment.astimezone(timezone(timedelta(hours=-5, minutes=-30))).isoformat()
    return "not a date"


def sentence(rng, count):
    text = rng.choice(WORDS)
    for _ in range(count - 1):
        text += rng.choice(SEPARATORS) + rng.choice(WORDS)
    return text


def make_payload(rng, i):
    payload = {"body": sentence(rng, rng.randint(1, 6)), "title": sentence(rng, rng.randint(1, 4)), "n": rng.randint(0, 9),
               "x": rng.choice([rng.randint(-3, 3), rng.randint(-6, 6) / 2]), "g": rng.choice(["a", "b"])}
    if rng.random() < 0.7:
        payload["notes"] = sentence(rng, rng.randint(1, 5))
    stamp = rng.random()
    payload["t"] = datetime_text(rng) if stamp < 0.7 else ([datetime_text(rng), datetime_text(rng)] if stamp < 0.85 else 5)
    if i % 9 == 0:
        payload["n"] = [rng.randint(0, 9), rng.randint(0, 9)]
    return payload


@pytest.fixture(scope="module")
def corpus(client):
    rng = random.Random(41)
    client.create_collection(NAME, vectors_config={"dense": models.VectorParams(size=4, distance=models.Distance.DOT),
                                                   "image": models.VectorParams(size=2, distance=models.Distance.DOT)},
                             sparse_vectors_config={"words": models.SparseVectorParams()})
    points, vectors = [], {}
    payloads = [make_payload(rng, i) for i in range(N)]
    for i in range(N):
        vector = {}
        if rng.random() < 0.8:
            vector["dense"] = [1.0, 0.0, 0.0, float(i)]
        if rng.random() < 0.5:
            vector["image"] = [1.0, 2.0]
        if rng.random() < 0.5 or not vector:
            vector["words"] = models.SparseVector(indices=[i % 11], values=[1.0])
        vectors[i] = set(vector)
        points.append(models.PointStruct(id=i, vector=vector, payload=payloads[i]))
    # Half the points arrive before the indexes exist, so both the backfill and upkeep are used.
    client.upsert(NAME, points=points[: N // 2])
    client.create_payload_index(NAME, "body", field_schema=models.TextIndexParams(type=models.TextIndexType.TEXT,
                                tokenizer=models.TokenizerType.WORD, lowercase=True))
    client.create_payload_index(NAME, "title", field_schema=models.TextIndexParams(
        type=models.TextIndexType.TEXT, tokenizer=models.TokenizerType.WHITESPACE, lowercase=False, min_token_len=2, max_token_len=8,
        phrase_matching=True))
    client.create_payload_index(NAME, "t", field_schema=models.PayloadSchemaType.DATETIME)
    client.create_payload_index(NAME, "n", field_schema=models.PayloadSchemaType.INTEGER)
    client.create_payload_index(NAME, "x", field_schema=models.PayloadSchemaType.FLOAT)
    client.upsert(NAME, points=points[N // 2:])
    return payloads, vectors


def matching_ids(client, flt):
    points, _ = client.scroll(NAME, scroll_filter=flt, limit=10_000, with_payload=False)
    ids = sorted(p.id for p in points)
    assert client.count(NAME, count_filter=flt, exact=True).count == len(ids)
    return ids


def datetime_values(payload, key):
    values = payload.get(key)
    values = values if isinstance(values, list) else [values]
    return [parsed for v in values if isinstance(v, str) and (parsed := parse_datetime(v)) is not None]


def test_full_text_matches_agree_with_python(client, corpus):
    payloads, _ = corpus
    rng = random.Random(5)
    classes = {"text": models.MatchText, "text_any": models.MatchTextAny, "phrase": models.MatchPhrase}
    nonempty = 0
    for _ in range(60):
        key = rng.choice(["body", "title", "notes"])
        mode = rng.choice(list(classes))
        query = sentence(rng, rng.randint(1, 3))
        match = classes[mode](**{mode: query})
        expected = [i for i in range(N) if text_matches(payloads[i], key, mode, query)]
        assert matching_ids(client, models.Filter(must=[F(key=key, match=match)])) == expected, (key, mode, query)
        nonempty += bool(expected)
    assert nonempty > 20


def test_datetime_ranges_agree_with_python(client, corpus):
    payloads, _ = corpus
    rng = random.Random(6)
    for round in range(40):
        low = ORIGIN + timedelta(hours=rng.randint(-200, 600))
        high = low + timedelta(hours=rng.randint(1, 500))
        # Bounds in several spellings the client sends as RFC 3339 strings.
        bound_low = low.astimezone(timezone(timedelta(hours=3))) if round % 3 == 0 else low
        bound_high = date(high.year, high.month, high.day) if round % 4 == 0 else high
        high_moment = datetime(high.year, high.month, high.day, tzinfo=timezone.utc) if round % 4 == 0 else high
        flt = models.Filter(must=[F(key="t", range=models.DatetimeRange(gte=bound_low, lt=bound_high))])
        expected = [i for i in range(N) if any(low <= v < high_moment for v in datetime_values(payloads[i], "t"))]
        assert matching_ids(client, flt) == expected, (bound_low, bound_high)


def test_datetime_range_from_raw_strings_and_malformed_bounds(client, server, corpus):
    payloads, _ = corpus
    body = {"filter": {"must": [{"key": "t", "range": {"gt": "2024-01-05", "lte": "2024-01-20T12:00:00+02:00"}}]}, "limit": 10_000}
    got = sorted(p["id"] for p in requests.post(f"{server.url}/collections/{NAME}/points/scroll", json=body).json()["result"]["points"])
    low, high = datetime(2024, 1, 5, tzinfo=timezone.utc), datetime(2024, 1, 20, 10, tzinfo=timezone.utc)
    assert got == [i for i in range(N) if any(low < v <= high for v in datetime_values(payloads[i], "t"))]
    for bound in ["2024-13-01", "tomorrow", "2024-01-01T10:00Z"]:
        refused = requests.post(f"{server.url}/collections/{NAME}/points/count",
                                json={"filter": {"must": [{"key": "t", "range": {"gte": bound}}]}})
        assert refused.status_code == 400 and bound in refused.text, refused.text


def test_has_vector_agrees_with_python(client, corpus):
    _, vectors = corpus
    for name in ["dense", "image", "words"]:
        assert matching_ids(client, models.Filter(must=[models.HasVectorCondition(has_vector=name)])) == [i for i in range(N) if name in vectors[i]]
        combined = models.Filter(must_not=[models.HasVectorCondition(has_vector=name)], must=[F(key="body", match=models.MatchTextAny(text_any="fox red"))])
        assert matching_ids(client, combined) == [i for i in range(N) if name not in vectors[i] and text_matches(corpus[0][i], "body", "text_any", "fox red")]
    with pytest.raises(UnexpectedResponse) as refused:
        client.count(NAME, count_filter=models.Filter(must=[models.HasVectorCondition(has_vector="audio")]))
    message = str(refused.value)
    assert refused.value.status_code == 400 and "audio" in message and all(f"`{v}`" in message for v in ["dense", "image", "words"])


def order_entries(payloads, key, keep):
    entries = set()
    for i in range(N):
        if not keep(i):
            continue
        values = payloads[i].get(key)
        for value in values if isinstance(values, list) else [values]:
            if key == "t" and isinstance(value, str) and (parsed := parse_datetime(value)) is not None:
                entries.add((micros(parsed), i))
            elif key == "n" and isinstance(value, int):
                entries.add((value, i))
            elif key == "x" and isinstance(value, (int, float)):
                entries.add((float(value), i))
    return entries


@pytest.mark.parametrize("key", ["n", "x", "t"])
def test_order_by_agrees_with_python(client, corpus, key):
    payloads, _ = corpus
    rng = random.Random({"n": 1, "x": 2, "t": 3}[key])
    starts = {"n": [None, 3, 6.5], "x": [None, 0, -1.5], "t": [None, ORIGIN + timedelta(days=7), "2024-01-20T00:00:00+02:00"]}[key]
    for direction in [models.Direction.ASC, models.Direction.DESC]:
        for start in starts:
            for flt, keep in [(None, lambda i: True),
                              (models.Filter(must=[F(key="g", match=models.MatchValue(value="a"))]), lambda i: payloads[i]["g"] == "a"),
                              (models.Filter(must=[F(key="body", match=models.MatchText(text="fox"))]),
                               lambda i: text_matches(payloads[i], "body", "text", "fox"))]:
                limit = rng.randint(1, 80)
                records, next_offset = client.scroll(NAME, limit=limit, scroll_filter=flt, with_payload=False,
                                                     order_by=models.OrderBy(key=key, direction=direction, start_from=start))
                assert next_offset is None
                entries = order_entries(payloads, key, keep)
                if start is not None:
                    bound = micros(parse_datetime(start) if isinstance(start, str) else start) if key == "t" else start
                    entries = {e for e in entries if (e[0] >= bound if direction == models.Direction.ASC else e[0] <= bound)}
                expected = sorted(entries, key=lambda e: e[0], reverse=direction == models.Direction.DESC)[:limit]
                got = [(r.order_value, r.id) for r in records]
                assert [v for v, _ in got] == [v for v, _ in expected], (key, direction, start, limit)
                # Equal values may come in any order; the points at each value must be right,
                # except at the last value, which the limit may cut.
                last = expected[-1][0] if expected else None
                for value in {v for v, _ in expected}:
                    got_ids = {i for v, i in got if v == value}
                    all_ids = {i for v, i in entries if v == value}
                    assert got_ids <= all_ids and (value == last or got_ids == all_ids)


def test_order_by_refusals(client, corpus):
    for key in ["g", "body", "missing"]:
        with pytest.raises(UnexpectedResponse) as refused:
            client.scroll(NAME, limit=3, order_by=key)
        assert refused.value.status_code == 400 and "order_by" in str(refused.value) and key in str(refused.value)
    with pytest.raises(UnexpectedResponse) as refused:
        client.scroll(NAME, limit=3, offset=4, order_by="n")
    assert refused.value.status_code == 400 and "offset" in str(refused.value)


def test_text_index_options_and_collection_info(client, server, corpus):
    schema = client.get_collection(NAME).payload_schema
    assert schema["body"].data_type == models.PayloadSchemaType.TEXT
    assert schema["title"].params.tokenizer == models.TokenizerType.WHITESPACE and schema["title"].params.min_token_len == 2
    assert schema["t"].data_type == models.PayloadSchemaType.DATETIME
    for field_schema, named in [({"type": "text", "tokenizer": "prefix"}, "prefix"), ({"type": "text", "tokenizer": "multilingual"}, "multilingual"),
                                ({"type": "text", "stopwords": "english"}, "stopwords"), ({"type": "text", "stemmer": {"type": "snowball", "language": "english"}}, "stemmer"),
                                ({"type": "text", "ascii_folding": True}, "ascii_folding"), ({"type": "datetime", "is_principal": True}, "is_principal"),
                                ({"type": "text", "min_token_len": 5, "max_token_len": 2}, "min_token_len")]:
        refused = requests.put(f"{server.url}/collections/{NAME}/index", json={"field_name": "other", "field_schema": field_schema})
        assert refused.status_code == 400 and named in refused.text, (field_schema, refused.text)
