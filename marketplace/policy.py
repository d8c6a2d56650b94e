"""The policy's clauses the product enforces, each quoted from its source with an anchor id.

The source is the civil-affairs bureau's implementation opinions on Love Stations
(温民救〔2013〕81号, 2013-04-11). ``/policy`` shows every clause under its id; a service that
refuses by one of them names it (``ServiceError(clause=...)``, ``MoveRefused.clause``), and the
page's flash and the API's JSON error link to it. No Flask here: the texts are message ids the
web translates on display; the quotes stay in the policy's own Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.lifecycle import N_, State

DOCUMENT = "温州市民政局关于开展爱心驿站建设的实施意见（温民救〔2013〕81号）"
DOCUMENT_NUMBER = "温民救〔2013〕81号"


@dataclass(frozen=True)
class Clause:
    """One rule: its anchor on /policy, where the policy says it, its words, and ours."""

    id: str
    section: str  # the policy's own numbering, e.g. 五（四）
    title: str  # message id
    plain: str  # message id: the rule in plain words
    quote: str  # the policy's text, in Chinese

    @property
    def reference(self) -> str:
        return f"{DOCUMENT_NUMBER} {self.section}"


CLAUSES: tuple[Clause, ...] = (
    Clause("stages", "五（六）", N_("Six stages, in order"),
           N_("Every project goes through packaging, publication, subscription, tendering, "
              "implementation and evaluation, one after another; a step that does not belong "
              "to the project's stage is refused."),
           "通过项目包装、项目发布、项目认购、项目招投标、项目实施、项目评估等环节，推动政府、"
           "企业及其他组织的公益服务资助和社会组织的公益服务生产实现有效对接，实现政府购买服务、"
           "社会承接运行、百姓从中受益的最终目标。"),
    Clause("station-area", "五（一）", N_("Premises of at least 30 m²"),
           N_("The community lends the station its premises free of charge, in principle at "
              "least 30 m². Smaller premises are approved only with the administrator's "
              "written reason for the exception."),
           "社区向爱心驿站无偿提供工作场所，场所建设要求布局合理、设施完备，符合爱心驿站的使用"
           "要求，面积大小视场所建设具体情况而定，原则上要求30平方米以上。"),
    Clause("ground-floor", "五（一）", N_("On the ground floor"),
           N_("A station is on the ground floor, so that elderly and disabled visitors can "
              "come in; a station on another floor is not registered."),
           "为方便部分残疾、老年服务对象的出入，要求选择一层位置。"),
    Clause("registration", "五（四）", N_("Registered as a private non-enterprise unit"),
           N_("The community registers the station as a private non-enterprise unit "
              "(民办非企业单位, a code starting with 52); the community's head is its director."),
           "社区作为爱心驿站的运行主体，将爱心驿站申请登记为民办非企业单位，社区负责人任爱心驿站"
           "主任，兼任社区慈善工作站（室）主任。"),
    Clause("social-workers", "五（五）", N_("Social workers at every station"),
           N_("Every station has at least one professional social-worker post; social workers "
              "guide the volunteers."),
           "社区应在爱心驿站设置专业社工岗位，安排专业社工负责调研和收集社区居民服务需求，"
           "引导爱心驿站服务项目设置，协助项目执行组织提升项目实施的效率和效果，指导义工开展活动。"),
    Clause("naming-donation", "五（四）", N_("Naming: at least 100,000 yuan, for one year"),
           N_("An enterprise or a person may give a station its name with a directed donation "
              "of at least 100,000 yuan, agreed by both sides; the name is carried for one "
              "year."),
           "爱心驿站允许以企业或个人名义进行冠名，冠名要求企业或个人定向捐款资金达10万元以上，"
           "并经双方协商同意，冠名使用期限为一年。"),
    Clause("one-name", "五（四）", N_("One name at a time"),
           N_("A station never carries two names at once. When several sponsors ask, the "
              "community chooses one of them."),
           "如出现多家企业或个人要求联合冠名的情况，可由社区从中选取一家品牌效应较好、社会影响"
           "较大的企业，同一爱心驿站，不可同时出现两个及以上的名称。"),
    Clause("fund", "五（二）", N_("The development fund"),
           N_("The fund takes in fiscal money of the city and the counties, welfare-lottery "
              "money, the charity federations' budgets, enterprises' directed sponsorship and "
              "public donations; it pays for starting stations, venture-philanthropy projects "
              "and evaluation awards."),
           "建立“爱心驿站建设发展基金”，基金按照政府主导与社会协同相结合原则多渠道筹集。主要包括："
           "市、县（市、区）两级财政每年预算安排的专项资金、民政部门从福彩公益金中安排的资金、"
           "市县（市、区）两级慈善总会每年预算安排的资金、企业定向赞助资金和社会捐赠资金。基金"
           "主要用于爱心驿站前期创建支出、后期公益项目创投支出以及评价奖励支出等方面。"),
    Clause("inspections", "六（五）", N_("Inspections in phases"),
           N_("Stations and projects are inspected in phases: the site before building, pilot "
              "results midway, the project's effect afterwards. A station whose last site "
              "inspection failed is not approved until a new one is recorded."),
           "分段开展督促检查工作，有针对性地对各个阶段工作开展检查验收，包括前期建设场地检查验收、"
           "中期试点单位工作成果评估验收、后期项目实施效果评价验收。"),
)
BY_ID = {clause.id: clause for clause in CLAUSES}

# What each of the six stages (and the exits) means, in one line: the policy page's list.
STAGE_NOTES: dict[State, str] = {
    State.PACKAGING: N_("The community designs service items from the catalog with residents' "
                        "needs and bundles them, with a budget, a funding target and dates."),
    State.PUBLICATION: N_("The administrator has reviewed the bundle and published it; "
                          "subscription opens on its date."),
    State.SUBSCRIPTION: N_("Enterprises and donors subscribe money until the target is reached "
                           "or the window closes; the fund may match their money."),
    State.TENDERING: N_("Social organizations bid to deliver the funded bundle; the community "
                        "awards one, and losing bidders may complain during the standstill."),
    State.IMPLEMENTATION: N_("The organization delivers and reports each milestone with "
                             "evidence; the community accepts or sends it back."),
    State.EVALUATION: N_("Evaluators score the delivered project against the indicators and "
                         "close it out, or send it back for rectification once."),
    State.COMPLETED: N_("The project passed its evaluation and is closed."),
    State.UNFUNDED: N_("The subscription closed below the funding minimum; the money pledged "
                       "is released."),
    State.CANCELLED: N_("The project was stopped before delivery, with a reason; the money "
                        "pledged is released."),
    State.TERMINATED: N_("The project failed its evaluation again after rectification."),
}


def clause(clause_id: str) -> Clause:
    """The clause by id; an unknown id is a programming error, caught by the tests."""
    return BY_ID[clause_id]
