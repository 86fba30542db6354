"""The text pools the large benchmark world draws from (:mod:`.large`): diary titles and lines,
comments, community themes, event places, weighted visibilities, and the stored categories."""

from __future__ import annotations

from ..models import community as community_model
from ..models import review as review_model
from . import diaries as demo

#: The demo world's pools (:mod:`.diaries`), and more.
TITLES = (
    *demo.DIARY_TITLES,
    "ラーメン🍜めぐり",
    "映画を観ました🎬",
    "残業つづき…",
    "おいしいケーキ屋さん",
)
LINES = (
    *demo.DIARY_LINES,
    "電車が遅れて大変でした💦 でも本を一冊読み終わりました。",
    "実家の犬🐕が元気そうで安心しました。また帰ります。",
)
COMMENTS = (*demo.COMMENTS, "今度教えてください！")
THEMES = (
    "カフェ",
    "ラーメン",
    "写真",
    "ギター",
    "旅行",
    "読書",
    "野球",
    "映画",
    "猫",
    "ゲーム",
)
PLACES = ("渋谷駅ハチ公前", "梅田駅", "名古屋駅 金の時計", "横浜 赤レンガ倉庫", "オンライン")
#: Diary visibilities, weighted: mostly public, some for friends.
VISIBILITIES = ("public",) * 10 + ("fof",) * 3 + ("friends",) * 6 + ("private",)
REVIEW_CATEGORIES = review_model.CATEGORIES
COMMUNITY_CATEGORIES = community_model.CATEGORIES
