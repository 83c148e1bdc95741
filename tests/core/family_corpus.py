"""A therapist's blog on family, in six topics that share their words, with honest and hurried tags.

Written for the tests. Every topic talks of mothers, fathers, parents, guilt, boundaries, holidays and loss, so
no single word gives an article's topic away: estrangement and the holidays both speak of boundaries and family
dinners, caring for an ageing parent and grieving one both speak of loss and guilt, a new mother and a divorcing
parent both speak of children, sleep and guilt.

Each article carries the tags its author would give it with care (`tags`). `hurried_tags` gives a third of them
(the third and sixth of every topic) the careful tags of an article in a confusable topic instead, the way tags
go on when they are put on in a hurry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    title: str
    summary: str
    body: str
    tags: tuple[str, ...]


#: The topic whose tags a hurried author reaches for by mistake.
CONFUSED_WITH = {
    "estrangement": "holidays", "holidays": "estrangement",
    "caregiving": "parent-loss", "parent-loss": "caregiving",
    "new-mother": "divorce", "divorce": "new-mother",
}

CORPUS: dict[str, list[Article]] = {
    "estrangement": [
        Article(
            "When You Decide to Go No Contact with a Parent",
            "Cutting off a mother or father is rarely sudden; it is the end of a long attempt to be heard.",
            "Clients who go no contact with a parent almost never do it on impulse. By the time a daughter stops "
            "answering her mother's calls, she has usually tried for years: explaining, writing letters, setting "
            "boundaries that were crossed the same week. No contact is what remains when every other boundary has "
            "failed. Even so, the decision brings guilt, and the guilt is often louder than the relief. Friends "
            "say you only get one mother. Relatives ask what happened, as if one event could explain it. In "
            "therapy we look at the estrangement as a choice made to protect yourself, not as a punishment, and "
            "we make room for the grief that comes with it.",
            ("estrangement", "no contact", "boundaries")),
        Article(
            "The Grief of Estrangement",
            "Mourning a parent who is still alive, and the loss nobody sends flowers for.",
            "Estrangement is a loss without a funeral. The parent is alive, perhaps a few streets away, and yet "
            "the relationship you hoped for is gone. People who are estranged from a father or mother describe "
            "a grief that has no ritual and little sympathy. Nobody brings a casserole when you go no contact. "
            "Part of the work is letting yourself mourn the parent you needed and never had, while knowing the "
            "real one could call tomorrow. That ambiguity keeps the loss open. Naming it as grief, rather than "
            "as failure or as coldness, helps estranged adult children stop arguing with themselves about "
            "whether they are allowed to feel sad.",
            ("estrangement", "grief")),
        Article(
            "Flying Monkeys: Relatives Who Carry Messages",
            "When aunts, siblings and cousins press you to reconcile with an estranged parent.",
            "After an estrangement, the pressure often comes from the side. A sister forwards your father's "
            "birthday message; an aunt says your mother cries every Sunday; a cousin asks whether you could not "
            "just come for an hour. Relatives who carry messages for an estranged parent usually mean well, but "
            "they reopen the question you closed. Decide ahead of time what you will say, and keep it short: I "
            "am not in contact with Dad, and I am not going to discuss it. Repeating one sentence is a boundary "
            "too. You do not owe the family a new explanation every time someone asks, and you do not have to "
            "cut off everyone who asks clumsily.",
            ("estrangement", "no contact", "family")),
        Article(
            "Is Reconciliation Possible?",
            "What needs to change before an estranged parent and adult child can meet again.",
            "Some estrangements end. A parent reaches out with an apology that names what happened, or an adult "
            "child feels strong enough to try a short meeting on neutral ground. Reconciliation works best when "
            "it is slow and when the old pattern is not simply resumed. A letter before a phone call, a coffee "
            "before a holiday dinner, a clear agreement about which topics are off limits for now. Reconciling "
            "does not mean the estrangement was a mistake; often the distance is what made change possible. "
            "And sometimes a parent cannot take responsibility, and staying no contact remains the healthier "
            "choice. Both outcomes can be grieved and both can be lived with.",
            ("estrangement", "reconciliation")),
        Article(
            "Explaining Estrangement to Your Own Children",
            "What to tell a child who asks why they never see their grandmother.",
            "Sooner or later, the children of an estranged adult ask why they have no grandma like their friends "
            "do. The question brings back all the guilt of the estrangement. Keep the answer honest and sized to "
            "their age: Grandma is not safe for our family to spend time with, and the grown-ups decided that. "
            "Children do not need the history, but they do need to know the estrangement is not their fault and "
            "not a secret they must keep. Older children may want to meet the estranged grandparent one day. "
            "You can hold that possibility without promising it, and you can keep your boundary while letting "
            "them ask questions as they grow.",
            ("estrangement", "children")),
        Article(
            "Life After No Contact",
            "The quiet months after cutting contact with a mother, and the identity that grows in them.",
            "The first months of no contact are often strangely quiet. Without the weekly call to brace for, "
            "without reading every message from your mother for hidden criticism, there is room you did not know "
            "you were missing. Many clients also feel lost: the estrangement removed a role they had played "
            "since childhood, the peacemaker or the one who is always wrong. Building a life after no contact "
            "means finding out who you are without that role. Chosen family, friends who know the story, and "
            "rituals of your own fill some of the gap. The guilt fades slowly; the estrangement becomes one part "
            "of your history rather than the centre of every week.",
            ("estrangement", "no contact", "identity")),
    ],
    "holidays": [
        Article(
            "Surviving the Holidays with Your Family",
            "A plan for the long dinners, the old roles and the questions you dread.",
            "The holidays put adults back at their parents' table, and within an hour many of us are fifteen "
            "again. The same seat, the same jokes at our expense, the same argument between mother and father "
            "over the gravy. Going home for Christmas or Thanksgiving can be lovely and exhausting in equal "
            "parts. A plan helps: decide how long you will stay, where you will sleep, and what you will do when "
            "the conversation turns to your weight or your divorce. Take walks. Arrive with your own car. "
            "Boundaries at the holidays are not about changing your family; they are about changing how much "
            "of yourself you hand over for the length of the visit.",
            ("holidays", "family", "boundaries")),
        Article(
            "Setting Boundaries Before the Holiday Visit",
            "Saying what you will and will not do before you arrive, not in the middle of dinner.",
            "A boundary announced in the middle of a tense holiday dinner sounds like an attack. The same "
            "boundary, said a week earlier on the phone, sounds like a plan. Tell your mother before the visit "
            "that you will stay two nights, not five; tell your father that you will leave the room if the "
            "political argument starts again. Keep it short and do not defend it. Expect some guilt, because "
            "the holidays are where the family rules are strongest. Then keep the boundary kindly and without "
            "drama: get up, take a walk, come back later. The holiday visit does not need to be perfect to be "
            "better than last year.",
            ("holidays", "boundaries")),
        Article(
            "The First Christmas Without Going Home",
            "Choosing to spend the holidays away from your parents, and handling their disappointment.",
            "Staying away from your parents' house at Christmas for the first time can feel like breaking a law. "
            "Perhaps you want the holidays with your partner's family, or with friends, or alone and quiet. Your "
            "mother may be hurt and your father may say nothing, which is worse. The guilt is real, but it is "
            "not proof that you are doing something wrong. Tell them early, offer another visit in January, and "
            "resist the urge to explain at length. Holiday traditions are made by families, and families can "
            "change them. The first year away is the hardest; after that, the new holiday has a shape of its "
            "own.",
            ("holidays", "family")),
        Article(
            "Holiday Gatherings and Drinking",
            "When a parent's drinking turns the holiday dinner into something to survive.",
            "In families where a parent drinks, the holidays carry a particular dread. Everyone knows the "
            "evening will be pleasant until the third glass and then turn. Adult children often slip back into "
            "their old jobs at the holiday table: the one who keeps the peace, the one who makes jokes, the one "
            "who watches the bottle. You can decide to leave before the drinking gets heavy, to host the "
            "holiday yourself at lunchtime, or to skip the gathering this year. These are boundaries, not "
            "betrayals. Talking about the family pattern with a therapist before the season starts helps you "
            "go in with a plan instead of hope.",
            ("holidays", "drinking", "family")),
        Article(
            "Splitting the Holidays Between Two Families",
            "In-laws, parents and the fight about whose table comes first.",
            "For couples, the holidays often mean two families wanting the same days. Her mother expects "
            "Christmas Eve, his father has always carved the turkey, and both sets of parents keep score. The "
            "arguments about the holidays are rarely about the calendar; they are about loyalty and about who "
            "the couple belongs to now. Agree on the plan together before either family hears it, and then "
            "present it as a joint decision. Alternating years, hosting both families, or starting your own "
            "holiday tradition are all fair. What matters is that neither partner is left defending the "
            "boundary alone at the in-laws' table.",
            ("holidays", "in-laws", "couples")),
        Article(
            "Holiday Guilt and the Perfect Family Picture",
            "Why the season of togetherness makes so many adults feel they are failing their parents.",
            "Every December the adverts show a family laughing around a table, and many adults measure their "
            "own holidays against that picture and feel guilty. They did not call their mother enough, they "
            "argued with their father again, they want to leave the family dinner early. Holiday guilt feeds on "
            "the belief that a good son or daughter would feel only warmth. Most families are more complicated "
            "than the advert. Let the holidays be good enough: a few warm moments, some tension, an early night. "
            "Lowering the expectation is often what makes the visit bearable, and it leaves room for the real "
            "family you have rather than the imagined one.",
            ("holidays", "guilt")),
    ],
    "caregiving": [
        Article(
            "When Your Parent Needs Care",
            "The moment an adult child realises a mother or father can no longer manage alone.",
            "It often starts with small signs: unpaid bills on the kitchen table, a fall your father did not "
            "mention, your mother calling twice about the same appointment. The realisation that an ageing "
            "parent needs care changes the relationship overnight. Suddenly the adult child is making decisions "
            "about doctors, driving and money for the person who once made them for her. Many caregivers feel "
            "grief for the parent who is fading and anger at being the one who has to step in. Both are normal. "
            "Before the crisis, talk with your parents about what they want, and with your siblings about who "
            "can carry which part of the care.",
            ("caregiving", "ageing parents")),
        Article(
            "Caregiver Guilt: Never Doing Enough",
            "Why adult children who care for an ageing parent feel guilty whatever they do.",
            "Caregiver guilt is almost universal. You visit your mother three times a week and feel guilty "
            "about the fourth day; you arrange good care for your father and feel guilty that it is not you "
            "giving it. Guilt tells caregivers that a loving daughter would never lose patience, never want a "
            "weekend off, never think about the nursing home. Yet caring for an ageing parent is work, often on "
            "top of a job and children of your own. Respite is not abandonment. In therapy we separate the guilt "
            "that points to something you want to change from the guilt that simply measures you against an "
            "impossible caregiver.",
            ("caregiving", "guilt")),
        Article(
            "Role Reversal: Parenting Your Parent",
            "Helping a mother bathe or a father manage his pills, and the strangeness of it.",
            "There is a particular strangeness in helping your father with his pills or your mother into the "
            "bath. The roles of childhood reverse: the parent becomes dependent and the adult child makes the "
            "rules. Some parents accept care gratefully; others resist, hide their difficulties or lash out at "
            "the caregiver. Role reversal stirs up old history, too. A daughter who never felt cared for may "
            "find it hard to care tenderly now. It helps to keep some of the old relationship alive alongside "
            "the caregiving: a shared television programme, a story from his working life, a moment where your "
            "mother is still your mother and not only your patient.",
            ("caregiving", "ageing parents", "mother daughter")),
        Article(
            "Siblings and the Care of an Ageing Parent",
            "Why one child ends up carrying the care, and how to share it more fairly.",
            "In most families, the care of an ageing parent falls mainly on one sibling, usually the one who "
            "lives nearest or the daughter. Resentment grows quietly: the brother who visits twice a year and "
            "criticises the care home, the sister who phones with advice but never takes a weekend shift. Old "
            "rivalries return around the parent's bed. A family meeting, with a list of the actual tasks of "
            "caregiving, helps more than accusations. Siblings who live far away can manage the money, the "
            "paperwork or the calls to the doctor. Sharing the care of a mother or father fairly protects both "
            "the caregiver and the relationships between siblings.",
            ("caregiving", "siblings")),
        Article(
            "Dementia and the Long Goodbye",
            "Caring for a parent who is slowly forgetting you.",
            "When a parent has dementia, the loss comes in instalments. First the names of neighbours, then the "
            "way home, then one day your own name. Caregivers describe grieving someone who is still in the "
            "room, and the guilt of sometimes wishing it were over. Dementia care is exhausting because the "
            "person needing care changes month by month. Learning to meet your mother in her reality, rather "
            "than correcting her, can make visits gentler. Support groups for dementia caregivers, day care and "
            "respite weekends are not luxuries. The long goodbye lasts years, and the caregiver needs to last "
            "too.",
            ("caregiving", "dementia")),
        Article(
            "Choosing a Care Home Without Betraying Your Parent",
            "The decision to move a mother or father into residential care.",
            "Few caregiving decisions carry as much guilt as moving a parent into a care home. Many adult "
            "children once promised never to do it. Yet when your father needs care through the night, or your "
            "own health is failing under the strain, residential care may be the most loving choice left. Visit "
            "several homes, involve your parent as far as possible, and expect the first weeks to be hard for "
            "both of you. The guilt often eases when the caregiver can return to being a daughter or son who "
            "visits, rather than an exhausted nurse. Choosing care is part of caring, not the end of it.",
            ("caregiving", "care homes", "guilt")),
    ],
    "parent-loss": [
        Article(
            "Grieving the Death of a Parent",
            "Losing a mother or father as an adult, and why it hits harder than expected.",
            "Adults are often surprised by how hard the death of a parent hits them. They are grown, they have "
            "families of their own, and the death may have been expected for months. Yet losing a mother or "
            "father removes the generation that stood between us and mortality. Grief after a parent's death "
            "comes in waves: the impulse to phone her on Sunday, his handwriting on an old birthday card. There "
            "is no timetable for mourning a parent, and no need to be finished by the end of the year. Let the "
            "waves come, tell the stories, and allow the grief to change shape slowly rather than expecting it "
            "to end.",
            ("grief", "loss of a parent")),
        Article(
            "When a Difficult Parent Dies",
            "Mixed grief: relief, anger and sorrow after the death of a parent you struggled with.",
            "When a parent who hurt you dies, the grief is rarely simple. Alongside sorrow there may be relief, "
            "anger that was never expressed, and mourning for the apology that now will never come. Adult "
            "children of difficult parents often feel guilty for not grieving properly, or confused by tears "
            "for a father they could barely speak to. This complicated grief is normal. The death ends the "
            "relationship but not the feelings about it. In therapy we grieve the parent you had and the parent "
            "you wished for, both of them, and we make room for the anger without letting it be the only thing "
            "the loss leaves behind.",
            ("grief", "loss of a parent", "difficult parents")),
        Article(
            "The First Holidays After a Parent Dies",
            "Mother's Day, birthdays and the first Christmas without her.",
            "The first year after a parent's death is a calendar of firsts. The first Mother's Day without a "
            "mother to call, the first birthday, the first Christmas with an empty chair at the table. Grief "
            "sharpens around these dates, often days before them. Plan for the holidays rather than hoping to "
            "get through them: decide whether to keep the family traditions or change them, and who you want "
            "near you. Some families set a place for the parent who died, some visit the grave, some go away "
            "entirely. There is no right way to spend the first holidays after a loss, only ways that are kinder "
            "to the mourners.",
            ("grief", "holidays", "loss of a parent")),
        Article(
            "Guilt After a Parent's Death",
            "The things left unsaid, the visit you postponed, the decisions at the hospital.",
            "Guilt is one of the most common companions of grief after a parent dies. Adult children replay the "
            "last weeks: the visit postponed, the impatience on the phone, the decision about the hospital or "
            "the ventilator. Guilt gives the mourner a sense that the death could have been controlled, which is "
            "sometimes easier to bear than helplessness. Writing a letter to your mother or father, saying what "
            "was left unsaid, can loosen the grip of it. Speaking the guilt aloud to someone who knew the parent "
            "helps too. Most of what grieving people feel guilty about is simply what it means to be human "
            "and to love someone imperfectly.",
            ("grief", "guilt")),
        Article(
            "Sorting Through a Parent's Belongings",
            "Clearing the family home after the funeral, and what to keep.",
            "After the funeral comes the house: your father's tools, your mother's recipe cards, fifty years of "
            "letters in the attic. Clearing a parent's home is one of the most physical parts of grief. Every "
            "drawer holds a memory, and siblings often disagree about what to keep and how fast to sell. Take "
            "your time if you can. Keep a few objects that carry the parent's presence rather than everything "
            "out of guilt. Photograph what you cannot keep. Mourning happens in these rooms as much as at the "
            "grave, and the house can be where a family says its long goodbye to the parent who died.",
            ("grief", "loss of a parent", "siblings")),
        Article(
            "Becoming the Oldest Generation",
            "After both parents have died: orphaned as an adult.",
            "When the second parent dies, many adults describe a strange new loneliness: there is no one left "
            "who knew them as a child, no one to ask about the family stories. Being orphaned as an adult is "
            "rarely acknowledged as a loss of its own. Yet the death of both parents changes your place in the "
            "family. You become the oldest generation, the one others come to at the holidays. Grief at this "
            "stage is often for the whole family home and its history, not only for a mother or father. Writing "
            "down the family stories, while siblings still remember, is a way of mourning and of keeping them.",
            ("grief", "loss of a parent", "family")),
    ],
    "new-mother": [
        Article(
            "Becoming a Mother Changes Your Relationship with Your Own",
            "How the birth of a baby reopens a daughter's relationship with her mother.",
            "Becoming a mother makes many women look at their own mother with new eyes. A new mother may "
            "suddenly understand how tired her mother must have been, or feel fresh anger about what she never "
            "received. Some grandmothers rush in and take over; others keep a distance the new mother did not "
            "expect. The baby reopens the old mother daughter story in both directions. It helps to notice which "
            "parts of your mother's parenting you want to keep and which you want to leave behind. Becoming a "
            "mother yourself does not require repeating her, nor rejecting everything she did.",
            ("new mother", "mother daughter")),
        Article(
            "Mom Guilt in the First Year",
            "Why new mothers feel guilty about feeding, sleep and going back to work.",
            "Mom guilt often starts in the maternity ward. Breastfeeding does not work as planned, the baby will "
            "not sleep, the new mother wants an hour alone and feels guilty for wanting it. Later comes the "
            "guilt about daycare and returning to work. Much of this guilt comes from an ideal of motherhood "
            "that no real mother meets: endlessly patient, never bored, always sure. A good enough mother, in "
            "Winnicott's phrase, is exactly what a baby needs. Notice when the guilt is a useful signal and when "
            "it is just the ideal talking. New mothers who say their guilt aloud to other mothers usually "
            "discover they are far from alone.",
            ("new mother", "guilt", "motherhood")),
        Article(
            "Postpartum Depression Is Not a Character Flaw",
            "Recognising postpartum depression and anxiety, and asking for help.",
            "Postpartum depression affects many new mothers, and far more than are diagnosed. It can look like "
            "sadness, but also like irritability, numbness, or constant anxiety about the baby's safety. New "
            "mothers often hide it because they feel they should be happy, and they fear being judged as bad "
            "mothers. Postpartum depression is an illness, not a failure of love. Talk to your doctor or midwife "
            "if low mood lasts more than two weeks after the birth. Therapy, support from a partner, sleep "
            "protected by others and sometimes medication help. Fathers can develop postpartum depression too, "
            "and it deserves the same care.",
            ("new mother", "postpartum")),
        Article(
            "Grandparents and Boundaries with a New Baby",
            "Unannounced visits, unwanted advice and who decides how the baby is raised.",
            "A new baby brings grandparents through the door, sometimes more often than the new parents can "
            "bear. Unannounced visits, advice about feeding and sleep, criticism disguised as concern: many new "
            "mothers find their own mother or mother-in-law hard to manage in the first months. Boundaries with "
            "grandparents protect the new family, not only the mother's nerves. Agree with your partner on the "
            "rules first: visiting times, how decisions about the baby are made. Then tell each set of "
            "grandparents kindly and clearly. Grandparents can be a great support to a new mother when their "
            "help is welcome rather than imposed.",
            ("new mother", "boundaries", "grandparents")),
        Article(
            "The Loss of Your Old Self After a Baby",
            "Matrescence: grieving who you were while becoming a mother.",
            "Many new mothers are surprised to feel grief after the birth of a wanted baby. They miss their old "
            "self: the freedom, the work they were good at, the body they knew, the friendships that depended on "
            "evenings out. Anthropologists call the transition to motherhood matrescence, a change as large as "
            "adolescence. Grieving the old identity does not mean regretting the baby. Both can be true. New "
            "mothers who allow the loss, and speak about it, usually find a new identity that includes being a "
            "mother without being only a mother. The guilt about missing your old life eases once you see it as "
            "part of becoming a mother.",
            ("new mother", "identity", "motherhood")),
        Article(
            "A New Mother Without Her Own Mother",
            "Having a baby when your mother has died or is not part of your life.",
            "Becoming a mother without your own mother nearby, because she has died or because the relationship "
            "is broken, brings a particular loneliness. Other new mothers call their mothers with every question "
            "about the baby; you look things up at three in the morning. The baby's milestones bring the absence "
            "back: no grandmother at the first birthday, no one to say that you were the same. Motherless "
            "mothers often build a village of their own, older friends, a midwife, a neighbour who has raised "
            "four children. It helps to name the loss, so the grief is not mistaken for failing at motherhood.",
            ("new mother", "motherhood", "mother daughter")),
    ],
    "divorce": [
        Article(
            "Telling the Children About the Divorce",
            "What children need to hear when their parents separate.",
            "How parents tell their children about a divorce shapes how the children cope. If possible, tell "
            "them together, with both mother and father in the room, and plan the words in advance. Children "
            "need to hear that the divorce is a decision of the adults, that it is not their fault, and that "
            "both parents will go on loving them. They need practical answers too: where they will sleep, "
            "whether they will change school, when they will see each parent. Avoid blaming the other parent, "
            "however angry you are. Children of divorce do best when they are not asked to take sides.",
            ("divorce", "children", "co-parenting")),
        Article(
            "Co-Parenting with an Ex You Cannot Stand",
            "Parallel parenting when cooperation with a former partner is impossible.",
            "Not every divorced couple can co-parent warmly. When every conversation with your ex turns into a "
            "fight, parallel parenting may work better: each parent runs their own home, communication is brief "
            "and written, and the children are kept out of the middle. Use a shared calendar, keep messages to "
            "logistics, and never use the children as messengers. Boundaries with a former partner protect the "
            "children from a conflict that is not theirs. Co-parenting does not require friendship, only "
            "predictability. Over the years, many parents find the anger cools enough for something more "
            "cooperative.",
            ("divorce", "co-parenting", "boundaries")),
        Article(
            "Divorce Guilt: Did I Ruin My Children's Lives?",
            "Parents' guilt after separation, and what research says about children of divorce.",
            "Almost every divorcing parent asks whether they have ruined their children's lives. The guilt is "
            "sharpest at bedtime in the new flat, or when a child cries at the handover. Research is more "
            "reassuring than the guilt: what harms children most is not the divorce itself but prolonged "
            "conflict between their parents. A calm divorce can be better for children than a marriage full of "
            "fighting. Guilt can push parents into overcompensating, with no rules and too many presents. "
            "Children need warmth and structure in both homes. A parent who forgives themselves for the divorce "
            "is better placed to help the children through it.",
            ("divorce", "guilt", "children")),
        Article(
            "Holidays After Divorce",
            "Alternating Christmas, the empty house, and new traditions for separated families.",
            "The first holidays after a divorce are often the hardest part of the first year. Children move "
            "between two homes, and each parent faces at least one holiday without them. Agree on the holiday "
            "schedule early and put it in writing: alternating Christmas, splitting the day, or celebrating "
            "twice. Children should not have to choose where to spend the holidays. For the parent alone on "
            "Christmas morning, plan the day rather than waiting for it: friends, a walk, a call with the "
            "children. New traditions in each home help children feel that both of their parents' homes are "
            "still a family.",
            ("divorce", "holidays", "children")),
        Article(
            "When Your Child Refuses to Visit the Other Parent",
            "Loyalty conflicts, alienation and what a child's refusal may mean.",
            "Sometimes, after a divorce, a child refuses to visit one parent. The reasons vary: a loyalty "
            "conflict, anger about the separation, a new partner in the other home, or real problems in the "
            "other parent's care. The parent who is refused often suspects alienation, while the other parent "
            "feels accused. Forcing a child through the handover rarely helps, but neither does letting the "
            "child decide alone. Listen to what the child is saying about the other home, keep the schedule as "
            "the default, and ask a family therapist to help. Children need both parents whenever it is safe, "
            "and they need permission to love both.",
            ("divorce", "co-parenting", "children")),
        Article(
            "A Father After Divorce",
            "Staying close to your children when you see them every other weekend.",
            "Many fathers fear that divorce will make them a visitor in their children's lives. Every other "
            "weekend feels too short to be a real parent, and the temptation is to fill it with treats. "
            "Children of divorce benefit most from ordinary time with their father: homework, cooking, a bedtime "
            "routine in his home as well as their mother's. Stay in touch between visits with short calls or "
            "messages. Go to the school play even when your ex is there. A father's steady presence after a "
            "divorce matters more than grand gestures, and over the years it is what children remember.",
            ("divorce", "fathers", "co-parenting")),
    ],
}


def hurried_tags(topic: str, position: int) -> tuple[str, ...]:
    """The tags of the `position`th article of `topic` as put on in a hurry: a third point at another topic."""
    if position % 3 == 2:
        return CORPUS[CONFUSED_WITH[topic]][position].tags
    return CORPUS[topic][position].tags
