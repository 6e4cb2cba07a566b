"""Hand-curated additions to the World Port Index: LOCODE corrections, extra aliases and missing ports.

Every entry says where its value comes from (`ref`), and is applied by `gazetteer.build_ports`.
"""

from __future__ import annotations

# WPI LOCODEs that differ from the UN/LOCODE in common AIS use. The WPI code stays as an alias so a
# destination written with it still resolves. Ref: UNECE UN/LOCODE code list for CN (CNSHA Shanghai,
# CNTAO Qingdao, CNDLC Dalian, CNNGB Ningbo, CNXMN Xiamen, CNCAN Guangzhou, CNYNT Yantai).
LOCODE_FIXES: dict[str, str] = {
    "CNSGH": "CNSHA",
    "CNQIN": "CNTAO",
    "CNDAL": "CNDLC",
    "CNNBO": "CNNGB",
    "CNXMG": "CNXMN",
    "CNGGZ": "CNCAN",
    "CNYTG": "CNYNT",
}

# Extra name variants keyed by (ISO2, WPI main port name). Romanisations follow McCune-Reischauer /
# Revised Romanization pairs and Russian transliteration variants seen in AIS destination fields.
EXTRA_ALIASES: dict[tuple[str, str], list[str]] = {
    ("KP", "Najin"): ["Rajin", "Rason", "Rajin-Sonbong", "Najin Hang", "KPNJN"],
    ("KP", "Senbong"): ["Sonbong", "Unggi", "Ungi", "Sonbong Oil Terminal"],
    ("KP", "Ch'ongjin"): ["Chongjin", "Chungjin", "Seishin"],
    ("KP", "Kimch'aek"): ["Kimchaek", "Kim Chaek", "Songjin"],
    ("KP", "Hungnam"): ["Hamhung", "Hungnam Hang"],
    ("KP", "Wonsan"): ["Wonsan Hang", "Gensan"],
    ("KP", "Nampo"): ["Namp'o", "Nam Po", "Chinnampo", "Jinnampo"],
    ("KP", "Kyomip'o"): ["Songnim", "Songrim", "Kyomipo", "Kenjiho"],
    ("KP", "Haeju Hang"): ["Haeju"],
    ("KP", "Ch'aho"): ["Chaho", "Shako"],
    ("RU", "Vostochnyy"): ["Vostochny", "Vostochniy", "Port Vostochny", "Wrangel"],
    ("RU", "Bukhta Vanino"): ["Vanino"],
    ("RU", "Pos'yet"): ["Posyet", "Posiet", "Posjet"],
    ("RU", "Sankt-Peterburg"): ["Saint Petersburg", "St Petersburg", "St Peterburg", "SPB", "Sankt Peterburg"],
    ("RU", "Ust Luga"): ["Ust-Luga", "Ust'-Luga", "Ustluga"],
    ("DK", "Skagen Havn"): ["Skagen", "Skaw"],
    ("SE", "Goteborg"): ["Gothenburg", "Goteborg", "Gotenburg"],
}

# English exonyms and AIS shorthand WPI lacks, keyed by LOCODE (after LOCODE_FIXES / LOCODE_ASSIGN).
ALIASES_BY_LOCODE: dict[str, list[str]] = {
    "GRPIR": ["Piraeus", "Pireas"],
    "EGSUZ": ["Suez"],
    "EGALY": ["Alexandria", "El Iskandariya"],
    "EGPSD": ["Port Said"],
    "USNYC": ["New York", "NY", "NYC"],
    "USMSY": ["NOLA"],
    "PACTB": ["Cristobal"],
    "MAJFL": ["Jorf Lasfar"],
    "EETLL": ["Tallinn", "Tallin"],
    "EEMUG": ["Muuga"],
    "AEFJR": ["Fujairah", "Fujeirah"],
    "MTMLA": ["Valletta", "Valetta", "Malta Valletta"],
    "CNSHA": ["Shanghai", "Shang Hai"],
    "KRPUS": ["Busan", "Pusan"],
    "RUVVO": ["Vladivostok", "Vladivostock"],
    "RUNJK": ["Nakhodka", "Nahodka"],
    "RUMMK": ["Murmansk"],
    "RURND": ["Rostov", "Rostov on Don"],
    "AUHPT": ["Dalrymple Bay", "DBCT", "Dalrymple Bay Coal Terminal"],
    "NLIJM": ["Velsen"],
    "FRBES": ["Brest"],
}

# WPI rows without a LOCODE that have one in UN/LOCODE, keyed by (ISO2, WPI main port name).
LOCODE_ASSIGN: dict[tuple[str, str], str] = {
    ("AE", "Al Fujayrah"): "AEFJR",
}

# Ports WPI lacks. Coordinates are the town/terminal position from the cited reference, rounded to
# ~0.01 deg (about 1 km); radius covers the harbour. Keep this list short and sourced.
ADDED_PORTS: list[dict] = [
    {
        "locode": None, "name": "Sinpo", "country": "KP", "country_name": "North Korea",
        "lat": 40.03, "lon": 128.19, "radius_km": 5.0, "kind": "port",
        "aliases": ["Sinp'o", "Sinpho", "Mayang-do"],
        "ref": "en.wikipedia.org/wiki/Sinpo infobox 40.0347N 128.1856E (town; naval/fishing harbour)",
    },
    {
        "locode": None, "name": "Kozmino", "country": "RU", "country_name": "Russia",
        "lat": 42.73, "lon": 133.05, "radius_km": 5.0, "kind": "terminal",
        "aliases": ["Kozmino Oil Terminal", "Kozmino Bay", "Spetsmorneftport Kozmino", "ESPO Kozmino"],
        "ref": "Kozmino Bay, SE part of Nakhodka Bay (en.wikipedia.org/wiki/Kozmino_(port)); "
               "position approximate, not checked against a chart",
    },
    {
        "locode": "GIGIB", "name": "Gibraltar", "country": "GI", "country_name": "Gibraltar",
        "lat": 36.14, "lon": -5.36, "radius_km": 8.0, "kind": "port",
        "aliases": ["Gibraltar Bay", "Gibraltar Anchorage"],
        "ref": "en.wikipedia.org/wiki/Port_of_Gibraltar (36.14N 5.36W); WPI has only Europa Point",
    },
    {
        "locode": "SGSIN", "name": "Singapore", "country": "SG", "country_name": "Singapore",
        "lat": 1.264, "lon": 103.84, "radius_km": 15.0, "kind": "port",
        "aliases": ["Port of Singapore", "Singapore Anchorage"],
        "ref": "position of WPI 'Keppel - (East Singapore)' (SGKEP); radius spans the Singapore Strait anchorages",
    },
]
