"""A small site of untagged articles in five topics, to judge related articles the way a reader would.

Written for the tests. The topics share the vocabulary of any therapist's writing (feelings, the body,
family, therapy), so telling them apart takes more than one giveaway word.
"""

CORPUS: dict[str, list[tuple[str, str, str]]] = {
    "anxiety": [
        ("Understanding Anxiety",
         "Why worry takes over and what it is trying to do for you.",
         "Anxiety is the mind running ahead of the present, rehearsing every way tomorrow could go wrong. "
         "Worry feels like preparation, yet it rarely prepares us for anything. Many clients tell me their "
         "anxious thoughts arrive at night, when the house is quiet and there is nothing left to distract them. "
         "The first step is noticing the pattern: the racing thoughts, the what-ifs, the urge to check and "
         "check again. Anxiety is not a character flaw; it is an alarm system set too sensitively. In therapy "
         "we learn to hear the alarm without obeying it, and to let worry pass like weather."),
        ("Anxiety in the Body",
         "A racing heart, a tight chest: how anxiety lives in the nervous system.",
         "Before you ever name a worry, your body has often felt it. A racing heart, shallow breathing, a tight "
         "chest, a stomach in knots: these are the nervous system preparing for danger that is not there. When "
         "panic comes, people fear they are having a heart attack. Slow breathing, longer on the exhale, tells "
         "the nervous system that the threat has passed. Grounding helps too: feel your feet on the floor, name "
         "five things you can see. Anxiety that lives in the body can be calmed through the body, and the "
         "anxious mind usually follows."),
        ("When Panic Attacks Strike",
         "What happens during a panic attack and how to ride it out.",
         "A panic attack builds in minutes: the pounding heart, dizziness, trembling hands, the certainty that "
         "something terrible is happening. It is the body's alarm firing at full volume. The fear of the next "
         "attack often becomes its own source of anxiety, and people start avoiding shops, trains and crowded "
         "rooms. Avoidance shrinks a life. What helps is learning that panic peaks and passes, that the racing "
         "heart is uncomfortable but not dangerous. Breathing slowly and staying with the sensations, rather "
         "than fleeing, teaches the nervous system that the alarm was false."),
        ("Anxiety and Relationships",
         "How worry about being left shapes the way we love.",
         "Anxious attachment shows up as constant worry about a partner's feelings: checking the phone, "
         "rereading messages, needing reassurance that never quite lands. The anxiety is real, but the "
         "reassurance only calms it for an hour. Worry then returns with new what-ifs. Partners of anxious "
         "people can feel tested and tired. Naming the anxiety out loud, instead of acting on it, changes the "
         "pattern. Learning to tolerate uncertainty, the not-knowing, is the same work whether the worry is "
         "about health, money or love."),
    ],
    "grief": [
        ("Grief Has No Timeline",
         "Mourning does not follow stages or a schedule.",
         "People expect grief to move through neat stages and end after a year. Mourning does not work that way. "
         "Grief comes in waves: a song in a shop, a smell, a birthday, and the loss is fresh again. Years after "
         "a death, the bereaved still find themselves crying unexpectedly. This is not a failure to move on. "
         "Grief is love with nowhere to go, and it changes shape rather than disappearing. In therapy we make "
         "room for the waves of mourning instead of fighting them, and we honour the person who died."),
        ("Anticipatory Grief",
         "Grieving someone who is still alive.",
         "When a parent is dying slowly, or a partner's illness is terminal, mourning often begins before the "
         "death. This anticipatory grief brings guilt: how can I grieve someone who is still here? Yet the loss "
         "is already happening, in lost conversations and lost futures. Caregivers feel exhausted and numb, "
         "then flooded with sorrow. Naming anticipatory grief lets people mourn openly and still be present. "
         "After the death, the bereaved sometimes find the grief feels different, because part of the "
         "mourning was done along the way."),
        ("Grief and Anniversaries",
         "Why the dates of a loss return every year.",
         "The anniversary of a death can bring grief back with surprising force. Weeks before the date, the "
         "bereaved often feel irritable or low without knowing why. Birthdays of the person who died, holidays "
         "and the day of the funeral all carry the loss. Planning for anniversaries helps: visit the grave, "
         "cook their favourite meal, write them a letter. Mourning rituals give grief a place to go. Grief "
         "that returns each year is not a sign that healing failed; it is the rhythm of remembering someone "
         "you loved."),
        ("Grieving a Parent",
         "The loss of a mother or father at any age.",
         "Losing a parent changes our place in the world, even when the death was expected and we are adults "
         "with families of our own. The grief can be complicated: sorrow mixed with relief, old anger, or "
         "regret for things never said. Siblings mourn differently and sometimes clash over the funeral and "
         "the estate. Bereavement after a parent's death often brings back earlier losses. Allowing every part "
         "of the grief, including the difficult feelings, is how mourning eventually becomes remembrance."),
    ],
    "mother-daughter": [
        ("Life Stages in Mother–Daughter Relationships",
         "How the bond between mother and daughter changes over a lifetime.",
         "The bond between a mother and her daughter passes through stages: the closeness of early childhood, "
         "the distance of adolescence, the renegotiation when the daughter becomes an adult, and sometimes a "
         "reversal of roles when the mother grows old. Each stage asks the relationship to change. Mothers "
         "who hold on too tightly and daughters who pull away too hard both suffer. Understanding the stage "
         "you are in makes the tension less personal and the mother–daughter relationship more flexible."),
        ("Ambivalence Between Mothers and Daughters",
         "Loving your mother and resenting her at the same time.",
         "Many daughters feel two things at once about their mothers: deep love and real resentment. This "
         "ambivalence is normal, yet daughters often feel guilty for the negative half. A mother may be both "
         "the person who protected you and the one who criticised you. Mothers feel ambivalence too, about "
         "daughters who grew into strangers. Accepting mixed feelings, instead of choosing one, lets the "
         "mother–daughter bond become more honest and less brittle."),
        ("Codependence in Mother–Daughter Bonds",
         "When a daughter's life revolves around her mother's moods.",
         "In a codependent mother–daughter relationship, the daughter learns early to manage her mother's "
         "emotions. She becomes the caretaker, the confidante, the one who keeps the peace. As an adult, the "
         "daughter may struggle to make decisions without her mother's approval. The mother may depend on her "
         "daughter for company and purpose. Untangling codependence means the daughter building a separate "
         "identity and the mother learning to stand on her own, which can feel like betrayal to both."),
        ("Letting Go of Resentment Toward Your Mother",
         "Making peace with the mother you had, not the one you wanted.",
         "Resentment toward a mother often grows from unmet needs in childhood: the praise that never came, "
         "the sister who was favoured, the criticism of a daughter's body or choices. Letting go of "
         "resentment does not mean excusing her. It means grieving the mother you wanted and seeing the "
         "mother you had, with her own history. Daughters who make this peace often find the relationship "
         "softens, even if their mother never changes."),
    ],
    "couples": [
        ("Why Couples Argue About the Same Thing",
         "The one fight couples have over and over.",
         "Most couples have one argument they keep having: about chores, money, in-laws or time together. The "
         "topic changes but the pattern does not. One partner pursues, the other withdraws; one criticises, "
         "the other defends. Under the argument is usually a need that is not being heard, such as feeling "
         "valued or safe. In couples therapy we slow the fight down to find that need. When partners can name "
         "what they long for instead of what the other did wrong, the argument loses its heat."),
        ("Listening to Your Partner",
         "Communication that makes a partner feel heard.",
         "Good communication in a marriage depends less on talking well than on listening well. When a "
         "partner shares a complaint, the urge is to defend or fix. Try reflecting back what you heard first: "
         "you felt alone when I worked late. Feeling heard calms a partner faster than any solution. Couples "
         "who practise listening this way argue less and repair faster. Listening is not agreeing; it is "
         "showing your spouse that their experience matters to you."),
        ("Repair After a Fight",
         "How couples reconnect after conflict.",
         "Every couple fights; what matters is repair. After an argument, partners who can apologise, laugh, "
         "or reach for each other's hand recover closeness quickly. Repair attempts can be small: a cup of tea, "
         "a softer tone, saying that came out wrong. In strained marriages, repair attempts get missed or "
         "rejected, and each conflict leaves a residue. Couples therapy often focuses on noticing and accepting "
         "repair, so that conflict becomes something the relationship survives rather than something that "
         "erodes it."),
        ("Rebuilding Trust After an Affair",
         "Whether and how a couple recovers from infidelity.",
         "An affair shatters the trust a marriage rests on. The betrayed partner is flooded with questions and "
         "images; the partner who strayed may want to move on quickly. Rebuilding trust takes transparency, "
         "time and a willingness to hear the hurt again and again. Couples who recover usually understand what "
         "made the affair possible without using it as an excuse. Some marriages end; others become more "
         "honest than before the infidelity."),
    ],
    "sleep": [
        ("Insomnia and the Racing Mind",
         "Why you lie awake, and what helps you fall asleep.",
         "Insomnia often begins with a stressful period and then outlives it. Lying awake, people start to "
         "dread bedtime, and that dread keeps them awake. The bed becomes a place of struggle rather than rest. "
         "Sleep cannot be forced; trying harder to fall asleep makes it harder. Getting up when you cannot "
         "sleep, and returning to bed only when sleepy, retrains the link between bed and sleep. Keeping the "
         "same waking time every morning steadies the body clock."),
        ("Sleep Hygiene That Actually Works",
         "Habits for the evening and the bedroom.",
         "Sleep hygiene advice is everywhere, but a few habits matter most. Keep the bedroom dark, cool and "
         "quiet. Stop caffeine by early afternoon. Dim the screens an hour before bed, because bright light "
         "tells the brain it is still day. Keep naps short. Wind down with the same routine each night so the "
         "body learns that sleep is coming. None of this cures chronic insomnia on its own, but poor sleep "
         "habits can keep good sleep out of reach."),
        ("Nightmares and Trauma",
         "When sleep is disturbed by bad dreams.",
         "After a frightening experience, nightmares can replay it night after night. People begin to fear "
         "falling asleep, and the lack of sleep makes the days harder. Nightmares are the sleeping brain "
         "trying to process what happened. Imagery rehearsal, in which the dreamer rewrites the ending of a "
         "recurring nightmare while awake, reduces how often it returns. Treating the trauma itself usually "
         "brings calmer sleep and fewer bad dreams."),
        ("Why We Wake at 3 a.m.",
         "Waking in the night and getting back to sleep.",
         "Waking in the middle of the night is normal; sleep runs in cycles and we surface briefly between "
         "them. The problem begins when we check the clock, calculate the hours left, and lie awake "
         "worrying about tomorrow's tiredness. Night waking then turns into insomnia. Keep the clock out of "
         "sight, keep the lights low, and let the body drift back to sleep. If sleep does not return, a "
         "quiet activity in dim light is better than tossing in bed."),
    ],
}
