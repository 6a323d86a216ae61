"""R-TIC-9: Chinese word search of standard replies (jieba words, title hits first, categories)."""

import pytest

from kefu.knowledge import segment, selectors, services

pytestmark = pytest.mark.django_db


def titles(user, q="", **kwargs):
    return [a.title for a in selectors.search_articles(user, q, **kwargs)]


def test_r_tic_9_tuikuan_finds_the_refund_procedure_by_words(demo, make_article):
    make_article("申请退款的流程", "请在订单页点击申请。")
    make_article("查询物流进度", "在订单页查看物流。")
    agent = demo.users["agent1"]
    assert titles(agent, "退款") == ["申请退款的流程"]
    assert titles(agent, "怎么退款") == ["申请退款的流程"]  # function words of the query are dropped
    assert titles(agent, "退款 流程") == ["申请退款的流程"]  # every word must match
    assert titles(agent, "退款 物流") == []
    assert titles(agent, "款的") == []  # words, not substrings


def test_r_tic_9_words_of_body_and_keywords_are_found(demo, make_article):
    make_article("到账时间", "支付宝一般1到3个工作日到账。", keywords="退钱")
    agent = demo.users["agent1"]
    assert titles(agent, "支付宝") == ["到账时间"]
    assert titles(agent, "退钱") == ["到账时间"]


def test_r_tic_9_a_query_cut_differently_from_the_text_still_matches(demo, make_article):
    make_article("七天无理由退货规则", "签收后7天无理由退货。")
    agent = demo.users["agent1"]
    assert titles(agent, "无理由退货") == ["七天无理由退货规则"]
    assert titles(agent, "7天无理由退货") == ["七天无理由退货规则"]


def test_r_tic_9_title_hits_rank_before_body_hits(demo, make_article):
    body_hit = make_article("查询物流进度", "如需退款请联系客服。")
    make_article("申请退款的流程", "请在订单页点击申请。")
    for _ in range(5):  # used more often, but the word is only in its text
        services.record_use(actor=demo.users["agent1"], article_id=body_hit.pk)
    assert titles(demo.users["agent1"], "退款") == ["申请退款的流程", "查询物流进度"]


def test_r_tic_9_category_filter_includes_subcategories(demo, make_article, category):
    head = demo.users["head1"]
    child = services.create_category(actor=head, name="退款到账", parent_id=category.pk)
    other = services.create_category(actor=head, name="物流")
    make_article("退款到账时间", category_id=child.pk)
    make_article("退款规则")
    make_article("物流退款", category_id=other.pk)
    agent = demo.users["agent1"]
    assert sorted(titles(agent, "退款", category=category.pk)) == ["退款到账时间", "退款规则"]
    assert titles(agent, "退款", category=child.pk) == ["退款到账时间"]
    assert titles(agent, "退款", category="nonsense") == []


def test_r_tic_9_search_words_follow_the_approved_version_only(demo, make_article):
    article = make_article("申请退款的流程", "请在订单页点击申请。")
    lead = demo.users["lead1"]
    article.refresh_from_db()
    services.propose_version(actor=lead, article_id=article.pk, version=article.version, title="申请退款的流程",
                             body="支付宝退款一般1到3个工作日。")
    agent = demo.users["agent1"]
    assert titles(agent, "支付宝") == []  # not approved yet
    services.approve(actor=demo.users["head1"], article_id=article.pk, version_number=2)
    assert titles(agent, "支付宝") == ["申请退款的流程"]


def test_r_tic_9_agents_do_not_find_others_pending_or_retired_replies(demo, make_article):
    make_article("待审核的退款说明", approve=False, author="agent2")
    retired = make_article("旧的退款说明")
    services.retire(actor=demo.users["head1"], article_id=retired.pk, version=retired.version)
    assert titles(demo.users["agent1"], "退款") == []
    assert titles(demo.users["agent2"], "退款") == ["待审核的退款说明"]  # the author sees their own proposal
    assert sorted(titles(demo.users["lead1"], "退款")) == ["待审核的退款说明", "旧的退款说明"]
    assert titles(demo.users["lead1"], "退款", insertable=True) == []


def test_r_tic_9_segmentation_keeps_words_and_drops_punctuation():
    assert segment.words("申请退款的流程！") == ["申请", "退款", "的", "流程"]
    assert segment.query_words("请问怎么退款？") == ["退款"]
    assert segment.split_keywords("退款，退钱、 退款") == ["退款", "退钱"]
