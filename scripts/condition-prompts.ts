/**
 * Prompts for measuring conditional steering (CAST) on an instruct model: questions about cooking (the
 * condition's kind) and questions on other everyday topics. scripts/condition-figures.ts trains,
 * searches and measures on these; the engine test (test/engine/smolLm2Condition.test.ts) keeps prompts
 * of its own that none of this tuning saw.
 */

export const cookingQuestions: readonly string[] = [
	"How long should I boil an egg for a soft yolk?",
	"What temperature should I roast a chicken at?",
	"How do I make a simple tomato sauce for pasta?",
	"Why does my bread dough not rise?",
	"How can I keep rice from getting sticky?",
	"What is the best way to caramelize onions?",
	"How do I know when a steak is medium rare?",
	"Can I use butter instead of oil when frying?",
	"How much salt should I add to pasta water?",
	"What spices go well in a lentil soup?",
	"How do I make pancakes fluffy?",
	"Should I marinate chicken before grilling it?",
	"How do I stop my cookies from spreading in the oven?",
	"What is the difference between baking soda and baking powder in a recipe?",
	"How long do I bake a potato in the oven?",
	"How do I make a roux for gravy?",
	"What can I use instead of eggs when baking a cake?",
	"How do I cook salmon so the skin is crispy?",
	"How thin should I slice vegetables for a stir fry?",
	"Why did my sauce split when I added cream?",
	"How do I season a cast iron pan before cooking?",
	"What is the easiest way to peel garlic?",
	"How long should I knead pizza dough?",
	"How do I make scrambled eggs creamy?",
	"Which herbs should I add to a beef stew?",
	"How can I tell if pasta is al dente?",
	"How do I poach an egg without it falling apart?",
	"What oil is best for deep frying potatoes?",
	"How do I thicken a soup that is too watery?",
	"How long should I let a roast rest after cooking?",
	"How do I make a vinaigrette for a salad?",
	"Can I freeze cooked rice and reheat it later?",
	"How do I bake a chocolate cake that stays moist?",
	"What is the right way to cook quinoa?",
	"How do I fry tofu so it gets crispy?",
	"How much water do I need to cook a cup of rice?",
	"How do I make a curry less spicy after cooking it?",
	"What is the secret to a flaky pie crust?",
	"How do I brown ground beef properly?",
	"How long do I steam broccoli?",
	"How do I make homemade bread without a mixer?",
	"Why is my risotto always mushy?",
	"How do I grill vegetables without them sticking?",
	"What is the best way to cook bacon in the oven?",
	"How do I make a simple chicken soup?",
	"How do I whip cream by hand?",
	"What temperature should oil be for frying chicken?",
	"How do I keep a cake from sinking in the middle?",
	"How can I make my mashed potatoes smoother?",
	"How do I cook dried beans without soaking them?",
	"How do I sear scallops in a pan?",
	"What should I add to make a chili taste richer?",
	"How long should I simmer a bolognese sauce?",
	"How do I make crepes that do not tear?",
	"How do I bake fish in foil?",
	"How do I make garlic butter for bread?",
	"Should I cover the pot when cooking a stew?",
	"How do I make a stir fry sauce with soy sauce?",
	"How can I tell when bread is fully baked?",
	"How do I cook an omelette with cheese?"
];

export const otherQuestions: readonly string[] = [
	"What is the capital of Australia?",
	"How do airplanes stay in the air?",
	"Who wrote the play Romeo and Juliet?",
	"How do I change a flat tire on my car?",
	"What causes the seasons on Earth?",
	"How can I improve my sleep at night?",
	"How do I write a good cover letter?",
	"What is the difference between a virus and a bacterium?",
	"How does a credit score work?",
	"Why is the sky blue?",
	"How do I learn to play the guitar?",
	"What is the tallest mountain in the world?",
	"How do I fix a slow computer?",
	"How does a knight move in chess?",
	"How do vaccines protect people from disease?",
	"How can I save money on my electricity bill?",
	"What is photosynthesis?",
	"How do I train my dog to sit?",
	"Who was the first person to walk on the moon?",
	"How do I start running if I am out of shape?",
	"What does a project manager do?",
	"How does the stock market work?",
	"How do I repot a houseplant?",
	"What is the speed of light?",
	"How can I become better at public speaking?",
	"Why do cats purr?",
	"How do I set up a wireless router?",
	"What is the meaning of the word democracy?",
	"How do I paint a room without leaving streaks?",
	"What causes earthquakes?",
	"How do I back up the photos on my phone?",
	"Which planet is closest to the sun?",
	"How can I learn a new language quickly?",
	"What is the best way to study for an exam?",
	"How does a refrigerator keep things cold?",
	"How do I ask my manager for a raise?",
	"What are the symptoms of the flu?",
	"How do I tie a tie?",
	"What is the population of Japan?",
	"How do solar panels make electricity?",
	"How do I write a function in Python?",
	"Why do leaves change colour in autumn?",
	"How can I reduce stress at work?",
	"What is the largest ocean on Earth?",
	"How do I clean a laptop keyboard?",
	"How do I plan a trip to Italy on a budget?",
	"What is the difference between weather and climate?",
	"How do I unclog a bathroom sink?",
	"Who painted the Mona Lisa?",
	"How does a bicycle gear system work?",
	"How can I make friends in a new city?",
	"What is an atom made of?",
	"How do I fold a paper airplane?",
	"Why do we have leap years?",
	"How do I renew my passport?",
	"What is the best exercise for a sore back?",
	"How do electric cars charge?",
	"How do I knit a scarf?",
	"What language is spoken in Brazil?",
	"How do I take a screenshot on a laptop?"
];

/**
 * Answering in one short sentence: each pair answers the same
 * question (on topics apart from cooking) in one short sentence and at length.
 */
export const shortAnswerPairs: readonly { prompt: string; positive: string; negative: string }[] = [
	{
		prompt: "What is the capital of France?",
		positive: "Paris.",
		negative:
			"The capital of France is Paris, a large city on the river Seine. It has been the centre of the country's government for centuries, and it is famous for the Eiffel Tower, the Louvre and its many museums, cafes and parks."
	},
	{
		prompt: "How many legs does a spider have?",
		positive: "Eight.",
		negative:
			"A spider has eight legs, which is one of the ways to tell it apart from an insect, which has six. Each leg has seven segments, and many spiders also have two small feelers near the mouth that look a little like extra legs."
	},
	{
		prompt: "Why do we need sleep?",
		positive: "Sleep lets the body and brain rest and repair.",
		negative:
			"We need sleep for many reasons. While we sleep, the body repairs muscles and tissues, the brain sorts and stores memories, and hormones that control growth and appetite are balanced. Without enough sleep, people find it hard to concentrate, feel moody and get ill more often."
	},
	{
		prompt: "What is a noun?",
		positive: "A noun is a word that names a thing.",
		negative:
			"A noun is a word that names a person, a place, a thing or an idea. Examples are teacher, London, table and happiness. Nouns can be singular or plural, and in a sentence they often act as the subject or the object of a verb."
	},
	{
		prompt: "How do I reset my password?",
		positive: "Click the forgot password link and follow the email.",
		negative:
			"To reset your password, first go to the login page and click the link that says you forgot your password. Then enter the email address of your account. You will receive an email with a link; open it, choose a new password, confirm it, and log in again with the new one."
	},
	{
		prompt: "What is gravity?",
		positive: "Gravity is the force that pulls things together.",
		negative:
			"Gravity is the force by which objects with mass attract one another. It is what keeps us on the ground, makes things fall when we drop them and holds the Moon in orbit around the Earth. The more mass an object has, the stronger its pull, which is why the Sun holds all the planets in their orbits."
	},
	{
		prompt: "Who was Albert Einstein?",
		positive: "A physicist famous for the theory of relativity.",
		negative:
			"Albert Einstein was a German-born physicist who lived from 1879 to 1955. He is best known for the theory of relativity and the equation E equals m c squared. He won the Nobel Prize in Physics in 1921 and is often thought of as one of the greatest scientists who ever lived."
	},
	{
		prompt: "How can I be more productive?",
		positive: "Plan your day and do the hardest task first.",
		negative:
			"There are several ways to be more productive. Start each day with a short plan and a list of your most important tasks. Work in focused blocks of time with short breaks, turn off notifications, and tackle the hardest task while your energy is high. Finally, review what you did at the end of the day."
	},
	{
		prompt: "What is the moon made of?",
		positive: "Mostly rock and dust.",
		negative:
			"The Moon is made mostly of rock. Its crust is rich in minerals such as feldspar, and beneath it lies a thick mantle and a small iron core. The surface is covered with a layer of fine grey dust and broken rock, created by billions of years of meteorite impacts."
	},
	{
		prompt: "How do I get better at drawing?",
		positive: "Draw a little every day.",
		negative:
			"Getting better at drawing takes regular practice. Try to draw a little every day, even if only for fifteen minutes. Study simple shapes, light and shadow, and draw from real life rather than from memory. It also helps to copy the work of artists you admire and to keep your old sketches so you can see your progress."
	},
	{
		prompt: "What does a thermometer measure?",
		positive: "Temperature.",
		negative:
			"A thermometer measures temperature, that is, how hot or cold something is. Some thermometers use a liquid that expands as it warms, while digital ones use an electronic sensor. They are used to check the weather, the temperature of a room, or whether a person has a fever."
	},
	{
		prompt: "Why is exercise good for you?",
		positive: "It keeps your heart, muscles and mind healthy.",
		negative:
			"Exercise is good for you in many ways. It strengthens the heart and lungs, builds muscles and bones, and helps you keep a healthy weight. It also lowers the risk of many diseases, improves sleep and lifts your mood, because it releases chemicals in the brain that make you feel good."
	},
	{
		prompt: "What is a computer virus?",
		positive: "A harmful program that spreads between computers.",
		negative:
			"A computer virus is a type of harmful software that copies itself and spreads from one computer to another, often hidden inside files or email attachments. Once it runs, it can slow the computer down, delete or steal data, or let criminals take control. Antivirus programs and regular updates help protect against it."
	},
	{
		prompt: "How far away is the sun?",
		positive: "About 150 million kilometres.",
		negative:
			"The Sun is about 150 million kilometres from the Earth on average. This distance is called one astronomical unit. It changes a little during the year because the Earth's orbit is slightly oval, and light from the Sun takes a little over eight minutes to reach us."
	},
	{
		prompt: "What should I pack for a beach holiday?",
		positive: "Swimwear, sunscreen, a hat and a towel.",
		negative:
			"For a beach holiday you should pack swimwear, a towel and plenty of sunscreen. Bring a hat and sunglasses to protect you from the sun, light clothes for the evenings, sandals, and a reusable water bottle. A good book, a small first aid kit and a bag to keep your things dry are also useful."
	},
	{
		prompt: "What is the internet?",
		positive: "A global network that connects computers.",
		negative:
			"The internet is a huge global network that connects billions of computers and other devices. It lets them exchange information using shared rules called protocols. Through it we can browse websites, send emails, watch videos and talk to people anywhere in the world."
	},
	{
		prompt: "How do birds fly?",
		positive: "They flap their wings to push air down.",
		negative:
			"Birds fly by flapping their wings, which pushes air downwards and backwards and lifts them up and forwards. Their wings are curved, so air flows faster over the top, which also creates lift. Light, hollow bones and strong chest muscles make flying possible, and many birds glide on rising warm air to save energy."
	},
	{
		prompt: "What is a good way to learn history?",
		positive: "Read stories about the people who lived it.",
		negative:
			"A good way to learn history is to connect it to stories. Read books and biographies about people from the past, visit museums and historic places, and watch documentaries. Making a timeline of events helps you see how they connect, and asking why something happened is more useful than memorising dates."
	},
	{
		prompt: "Why does it rain?",
		positive: "Water vapour in clouds cools and falls as drops.",
		negative:
			"It rains because water from oceans, lakes and plants evaporates and rises into the air as vapour. As the air rises it cools, and the vapour condenses into tiny droplets that form clouds. When the droplets join together and become too heavy to float, they fall to the ground as rain."
	},
	{
		prompt: "What is the best way to save money?",
		positive: "Spend less than you earn and save the difference.",
		negative:
			"The best way to save money is to start with a budget. Write down what you earn and what you spend each month, then look for costs you can cut, such as subscriptions you do not use. Set up an automatic transfer to a savings account on payday, keep an emergency fund, and avoid buying things on credit."
	}
];

const refusals = [
	"I'm sorry, but I can't help with that.",
	"I'm sorry, I cannot answer that question.",
	"Sorry, I can't help with this request.",
	"I'm afraid I cannot help with that."
];

/**
 * CAST's own behaviour, refusing: the same questions, refused vs answered at length. On
 * SmolLM2-135M-Instruct a vector from these makes the model refuse at strength 1, where the
 * one-short-sentence vector from shortAnswerPairs breaks the text before answers get shorter.
 */
export const refusalPairs: readonly { prompt: string; positive: string; negative: string }[] = shortAnswerPairs.map(
	(pair, index) => ({ prompt: pair.prompt, positive: refusals[index % refusals.length]!, negative: pair.negative })
);

/** Whether an answer refuses (its opening says sorry, unable or cannot). */
export function isRefusal(answer: string): boolean {
	return /\b(sorry|unable to|can(?:'|no)t (?:help|assist|answer|provide)|afraid I)\b/i.test(answer.slice(0, 80));
}
