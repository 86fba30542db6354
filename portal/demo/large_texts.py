"""The text pools the large benchmark world draws from (:mod:`.large`): diary titles and lines,
comments, community themes, event places, weighted visibilities, and the stored categories."""

from __future__ import annotations

from ..models import community as community_model
from ..models import review as review_model

TITLES = (
    "今日のランチ☀",
    "週末の予定",
    "雨の日は読書📚",
    "新しいカメラ",
    "久しぶりの実家",
    "夏休みの計画🌊",
    "ラーメン🍜めぐり",
    "映画を観ました🎬",
    "残業つづき…",
    "おいしいケーキ屋さん",
)
LINES = (
    "今日は朝から良い天気☀でした。駅前の新しいカフェでモーニングを食べてから会社へ。",
    "仕事帰りに友達とラーメン🍜を食べに行きました。やっぱり豚骨が一番！",
    "週末は家でゆっくり映画を観る予定です。おすすめがあったら教えてください～",
    "最近カメラを始めました📷 写真は http://example.jp/photos にまとめています。",
    "明日は早起きしないといけないので、今日はもう寝ます。おやすみなさい🌙",
    "電車が遅れて大変でした💦 でも本を一冊読み終わりました。",
    "実家の犬🐕が元気そうで安心しました。また帰ります。",
)
COMMENTS = (
    "いいですね！",
    "私も行きたいです～",
    "写真見たいです📷",
    "お疲れさまでした！",
    "わかります(笑)",
    "今度教えてください！",
)
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
