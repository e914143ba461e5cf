/**
 * What a question asks for, from its cue words and the machines it names: compare (which of two or
 * more), fit (can it run on X), speed (how fast on X), plan (what can I run on X, what do I need),
 * upgrade (I have X: is Y worth it), help (how do I make it work), other. General English cues, and
 * the few Chinese ones people used, each scored; the machines decide between close calls.
 */
import type { Intent, MachineReading } from './types.js';

type Cue = [RegExp, number];

export const CUES: Record<Exclude<Intent, 'other'>, Cue[]> = {
  upgrade: [
    [/\bupgrad(e|ing)\b|\b(switch|chang)(e|ing)? (from|to)\b|\bworth (it|the|upgrading)\b|\bworth it over\b|升级/i, 3],
    [
      /\b(add|adding|buy|bought|get|getting|connect) (one more|another|a second|more|one or more)\b|\banother (gpu|card)\b|\bsecond (gpu|card)\b|\begpu\b/i,
      2,
    ],
    // "If I add a 3090", "if I connect an eGPU": what one more card would change ("when" is a time, not a choice).
    [/\bif (i|we) (add|connect|plug in|put in|install) (an?|another|one more|a second|two|2)\b/i, 2],
    // 再买一张 (buy one more), 还得去搞一张 (have to get another one), 加一张 (add one).
    [/((再|还得去?|还要|多)(买|加|搞|入|上)(一|两|1|2)(张|块)|加(一|两)张)(?![^，。？?,]{0,4}(图|照片|图片|参考))/, 3],
    // "a more powerful GPU", "put a better card", "retire my 3090": beyond the machine one has.
    [
      /\bmore powerful (gpu|card)\b|\b(a|put a|change( to)?( a)?|get a) better (nvi?dia |amd )?(gpu|card|graphics card)\b|\bretire my (old |current )?(\w+ )?(\d{3,4}\w*|gpu|card|graphics card)\b|\bchang(e|ing) (my|our) (gpu|graphics? card|video card|card)\b(?!'s| fan| settings?| drivers?)/i,
      2.5,
    ],
    // "How much will it improve by changing from a T4 to a 3090", "if I change to a better card, can it
    // improve the speed": the speed a change of machine would buy.
    [
      /\b(improved?|faster|speed ?up)\b[^.?!。？]{0,40}\bby (chang|switch|upgrad|mov)\w*|\b(chang|switch|upgrad)\w*\b[^.?!。？]{0,40}\b(improve|speed ?up)\b/i,
      3,
    ],
    [/\breplace\b|\bsell (my|the)\b|\bordering\b|\bwould .* (be )?faster\b|会快/i, 1],
    // "Does it make sense to buy a powerful graphics card": a stronger card than the one owned.
    [/\b(buy|buying|get|getting) (a |an )?(more )?powerful (gpu|card|graphics card|video card)\b/i, 2],
    [
      /\b(gpu|card|hardware) recommendations?\b|\brecommend (a|another|a new|a better) (gpu|card|graphics card)\b/i,
      2.5,
    ],
  ],
  compare: [
    [/\b(vs\.?|versus|compared? (to|with)|comparison|benchmarks? against)\b|对比|性价比/i, 2.5],
    // One machine measured against another: "loses to", "how would X compare", "why X, not Y".
    [
      /\bwhich of (these|the) (two|options)\b|\b(help me|help to|helping me) (choose|pick|decide)\b|\bchoose (one of|between)\b/i,
      2.5,
    ],
    [/\bis it (faster|better|cheaper|more efficient) to (use|buy|get|run)\b/i, 2],
    [/\bloses? to\b|\boutperforms?\b|\bhow .{0,40} would compare\b|\bwhy [\w ]{2,30}, not\b/i, 2],
    // "How does the M4 Max compare": machines set side by side; a comparison of quants or models
    // (q4 against q8) is not one of machines.
    [
      /\bhow (does|do|would|will) (?!(it|this|that|they)\b)(?![^.?!]{0,60}\b(q\d|quants?|quantizations?|models?|versions?|fp\d+|bf16)\b)[^.?!]{2,60}\bcompare\b/i,
      2,
    ],
    [
      /\b(which|what) (is|one|would be|will be|should i)? ?(better|faster|best|cheaper|quieter)\b|\bbetter (option|choice|than)\b|\bor (an?|the|one|two)\b|\bloses? to\b|\b\d(\.\d)?x faster\b/i,
      1.5,
    ],
    [
      /\bwhich (one|card|gpu|mac|machine|setup|option|pod)\b|\bwhich (nvidia |amd |rtx |radeon |geforce |intel )+(cards?|gpus?|graphics cards?)\b|\bwhat pod\b|\bshould i (get|buy|go (with|for)|choose|pick|wait)\b|\b(buy|buying|purchase|purchasing) (a|an|the|new)?\s?(good )?(gpu|graphics card|video ?card|laptop|mac|machine|pc)\b|\brecommendations? for (cpu|gpu)|还是|哪个|怎么选/i,
      2,
    ],
  ],
  plan: [
    [
      /\b(what|which) (kind of |sort of |type of )?(\w+ )?(llms?|models?)( of yours| of these)? (can|could|should|would|do|will|to|are)\b|\bbest (local )?(llms?|models?)\b|\bbiggest (llm|model)\b|\bmodel recommendations?\b|\brecommend(ed)? (a |some )?(llms?|models?)\b|可以跑哪|跑什么|什么配置/i,
      4.5,
    ],
    [
      /\bwhat (else )?(can|could|should) i (run|fine-?tune|generate)\b|\bwhat (i|we) (can|could) run\b|上限|\bwhat (llms?|models?) (fit|runs?|work)\b|\b(get|find|suggest|recommend) (a|some|any) (good )?(llms?|models?)\b|可以跑哪|跑哪个|跑什么|哪些模型|什么模型|哪个模型/i,
      4,
    ],
    // "How large a model can it run", "能跑多少B的模型": the largest that fits, a plan unless a model is named.
    [/\bhow (big|large) (of )?(an? )?(llm|model)\b|多少b/i, 2.5],
    // "What kind of hardware do I need": a configuration to plan.
    [
      /\bwhat (kind of |sort of |type of )?(hardware|configuration|setup|specs?)\b.{0,30}\b(need(ed)?|required|requirements?|should|recommend(ed)?)\b/i,
      2.5,
    ],
    // "What kind of graphics card would you need": the machine to plan for.
    [
      /\bwhat (kind of |sort of |type of )?(gpus?|graphics cards?|computers?|pcs?|machines?)\b.{0,30}\b(need(ed)?|required)\b/i,
      2.5,
    ],
    // "What GPU, RAM and CPU do you recommend", "recommended hardware", 推荐一份配置 (recommend a build):
    // the machine to plan for.
    [
      /\b(what|which) (gpus?|graphics cards?|hardware|cpus?|ram|specs?|configuration|setup)\b[\w ,]{0,30}\b(do|would|should|can) (you|u) recommend\b|\brecommended (hardware|specs|configuration|setup|system)\b|最佳配置|配置推荐|推荐(一份|一个|一下)?配置|推荐显卡/i,
      3,
    ],
    // "How many A100s do I need": a configuration to plan, model named or not.
    [/\bhow many (\w+ )?(\w+ of (\w+ )?)?(gpus|cards|a100s?|h100s?|graphics cards|nodes|machines)\b/i, 4],
    [
      /\bhow many (users|requests|concurrent)|\bconcurrent (requests|users)\b|\bsimultaneous(ly)?\b|\b(recommended|minimum) (computer|hardware|system) specs?\b|\bhow do i find out\b|\bestimate the hardware\b|\bcalculation method\b/i,
      2.5,
    ],
  ],
  speed: [
    // Asking others for their figures: "anyone care to run it with X", "benchmark results for X".
    [
      /\banyone (care to run|tested|benchmarked|has data)\b|\bbenchmark (results|numbers) for\b|\bhas data\b|\bplease benchmark\b|\bbenchmark (it|this|them)\b/i,
      3,
    ],
    // A time in words: "takes over ten hours", "跑了1个小时", "每秒" (per second), "快吗" (is it fast).
    [
      /\b(two|three|four|five|ten|several|many) (hours|minutes)\b(?! (a|per|each) (day|week|month))|\b\d+(\.\d+)? ?fps\b|\d+ ?个?小时|\d+ ?分钟|每秒|快吗/i,
      2,
    ],
    // "速度如何" (how is the speed): the speed question, though 如何 alone asks how to.
    [/速度如何|速度怎么样|性能如何|性能速度|是否正常|耗时/, 4],
    // A time someone waited: "takes 45mn", "630 seconds to generate", "45 min for 1 pic".
    [
      /\b(takes?|took|taking|it's take|get|got|only)\s+(about |around |over |more than )?\d+(\.\d+)?\s*(mn|mins?|minutes|s|secs?|seconds|hours?|hrs?)\b|\b\d+(\.\d+)?\s*(mn|mins?|minutes|secs?|seconds)\s+(for|per|to)\b/i,
      2,
    ],
    [
      /\bhow fast\b|\b(token|output|generation|decode|decoding) (rate|time)\b|(?<!\bat )\binference (rate|time)\b|\btps\b|(?<![a-z])tok(en)?s?\s*\/\s*s(ec(ond)?s?)?\b|\btokens? (it generates )?per sec(ond)?\b|(?<![a-z])(t|it|s)\/(s|it)\b|\bspeed\b|\bthroughput\b|\blatency\b|速度|耗时|性能/i,
      2.5,
    ],
    [
      /\b(slow|slower|faster|sluggish|performance|prompt processing|prefill|seconds per|expected time|how long)\b|\b(takes?|took|taking|it's take) (about |over |more than |a very )?(\d+|forever|long|ages|half an hour|an hour)\b|\b\d+ ?(seconds|minutes|mins|hours|secs)\b|慢/i,
      2,
    ],
  ],
  fit: [
    // "Will ollama run dolphin-mixtral on my 1080 Ti?": a yes-or-no question of running.
    // ("Can you run it with X?" asks someone else for a measurement.)
    [
      /(^|[.?!]\s+)(will|would|can|could|does|do) (?!you\b)(?![^.?!]{0,120}\b(faster|slower|better|worse|than)\b)([\w.:-]+ ){1,4}(run|work|fit)\b/i,
      2.5,
    ],
    // "How to run r1 on a 4090?": whether it runs there, asked as a how-to.
    [
      /\bhow (to|can (i|we)|do (i|we)|could (i|we)) (run|fine-?tune|finetune|train|load|deploy) .{0,60}\b(on|with|in|using)\b/i,
      3.5,
    ],
    // "Is there a way to make it work on 8gb vram", "any way to finetune MPT-7B with dual 3090s":
    // asking whether it can run there, phrased as a how-to.
    [
      /\bis there (a|any) ?way (to )?(make (it|this) (work|run)|run|use|fine-?tune|train|load|fit)\b.*\b(on|with)\b/i,
      3.5,
    ],
    [
      /\bcan (i|we|it|you|this|one|the|my) (\w+ )?(run|load|fit|use|train|fine-?tune|host|handle|be (run|deployed|loaded|used))\b|\b(is it|would it be|it is|is this) possible\b|\bpossible to (run|load|use|train|fine-?tune)\b|能否|能不能|可以跑|能跑|可以吗|可以运行|有戏|跑起来/i,
      2.5,
    ],
    [
      /\b(fits?|fitting|enough|suffice|sufficient|lack of (vram|memory|gpu memory)|out of (gpu )?memory|oom|run out of memory|cuda out of|required?|requirements?|need(ed)?|minimum)\b|显存不够|不足|需要多少|够吗|够不够|够用/i,
      1.5,
    ],
    [
      /\b(will|would|does|do|could|can) (it|this|that|they)? ?(run|work|fit|be deployed)\b|\b(works?|do|runs?|fits?)\s*\?|\brun (on|with|in)\b|\bsupport(ed|s|ing)?\b|\bwork (on|with)\b|\bdeploy(ed|ment)?\b|支持|部署/i,
      1.5,
    ],
  ],
  help: [
    // Asking for a pointer: weak, any other cue outweighs it ("which GPU should I buy? Any ideas?").
    [/\bany (clues?|ideas?)\?|\bhow exactly\b|\bis being used\b/i, 1],
    [
      /\bhow (can|do|should|to) (i|we|you)? ?(use|configure|set|setup|enable|offload|limit|split|make|get|load|combine|increase|improve|fix|let|run)\b|\bis there (a|any) ?way\b|\bwhat (parameters|settings|flags|options)\b|\bhow to\b|\bany (tips|advice|suggestions?)\b|\b(an?|any|some|the|detailed|share|need) (detailed )?(instructions|tutorial|guide|example workflow)\b(?! requirements?)|\bstep[- ]by[- ]step\b|怎么|如何|建议|教程|有什么办法|有没有办法/i,
      3,
    ],
    [
      /\b(error|crash(es|ed)?|hangs?|not able to|unable to|doesn'?t work|won'?t (load|start)|can'?t (seem|get))\b|\bimplement\b|\bfork\b|\bexplain\b|报错|无法/i,
      1,
    ],
    // A setup that misbehaves: "what am I doing wrong", "did I set this up", "only uses 9G", "not running properly".
    [
      /\bto no avail\b|\bthe following (message|error)\b|\bnot (being )?detected\b|\bremain(s|ing)? idle\b|\bexceeds (the )?(max|limit|available|vram|memory)|\bany plans? to (release|support|add|port)\b|\b(build|version|docker( image)?|wheel|binar(y|ies)) (available|for (the )?(linux|windows|arm|mac|rocm|amd|intel))\b|\bwhat am i (doing wrong|missing)\b|\bdid i (set|do|configure|miss)\b|\bam i (doing|missing) (something|anything)\b|\bnot (running|working) properly\b|\b(only|just) (loaded|loads|uses|using|shows|touching)\b|\bnot (touching|using) the gpu\b|\b(not|doesn'?t|don'?t|isn'?t|wasn'?t) (use|using|utiliz(e|ing)) (the |my )?gpu\b|\bgpu (was|is) not (being )?used\b|\b(let me know|tell me) (the )?(method|how)\b|\brecommended (configurations?|settings|parameters)\b|\bwhy does\b/i,
      2.5,
    ],
  ],
};

export const ORDER: Exclude<Intent, 'other'>[] = ['upgrade', 'compare', 'plan', 'speed', 'fit', 'help'];

/** Someone about to buy: "considering purchasing", "planning to build", "I'm ordering". */
const BUYING =
  /\b(considering|thinking (about|of)|plan(ning)? (to|on)|about to|going to|want to|looking to|would like to|intend(ing)? to|intentions? (of|to)) (buy|buying|purchas\w*|get|getting|build|building|order\w*|acquir\w*|add|adding)\b|\bi('m| am) (buying|building|ordering)\b|\bbefore i (buy|bought|order)\b/i;

/** Asking whether something just said is as it should be. */
const NORMAL =
  /\b(is|are) (this|that|these|those)( speeds?| performance| results?| numbers?| times?)? (normal|expected)\b|正常吗/i;
/** A speed or a time, as measured: "14 tokens/s", "4 it/s", "takes almost 1 hour", "630 seconds". */
const FIGURE =
  /\d+(\.\d+)?\s*(tok(en)?s?\s*\/\s*s(ec)?|t\/s|tps|it\/s|s\/it|tokens? (per|a) sec(ond)?|seconds?|secs?|minutes?|mins?|hours?|hrs?|ms)\b/i;

/**
 * A failure reported against what was promised: "OOM on 12GB card ... said 10G VRAM would be
 * enough", "it crashes although the readme says 24GB". Setup help, not a question of fit; the
 * failure must have happened ("will it OOM?" asks fit).
 */
const FAILED =
  /\b(oom|ooms|oomed|out of memory|crash(es|ed)|fails|failed|freez(es|ed)|(got|get|getting|gives?|gave|throws?|threw|hit|hits) (an? |the )?(cuda )?(oom|out of memory|error))\b|爆显存|显存溢出|报错/i;
const PROMISED =
  /\b(said|says|claims?|claimed|supposed to|should (be|have been) (enough|sufficient|fine)|according to|even though|although|despite|i hoped|i expected|i thought)\b|但是?(依然|仍然|还是|却)|(依然|仍然)(爆显存|oom|报错)/i;
const ASKED_FAILURE = /\b(will|would|could|might) (it |this |that )?(oom|crash|fail|run out)\b/i;

/** "How fast can I run it on my 3090": the speed, though "can I run" asks whether it fits. */
const HOW_FAST = /\bhow fast (can|could|will|would|does|do|is)\b/i;
/** 哪个更快 (which is faster), when it is not quants or models that are weighed. */
const WHICH_FASTER =
  /^(?!.*(量化|模型|版本|\bq\d|\bfp\d|llama\.?cpp|\bvllm\b|\bollama\b|\bmlx\b|\bexl2\b|\bsglang\b|lm ?studio|tensorrt)).*((哪|那)个[^，。？?,]{0,6}(更快|快|好|更好)|\bis it faster to (use|run|buy|get)\b|\bwhich (one )?(is|would be|will be|runs?) faster\b)/i;
/** Words that set machines against each other. */
const AGAINST = /\b(compared?|vs\.?|versus|or)\b|还是|对比/i;

/** A bug report's template ("### Describe the bug", "[Bug]", "Steps to reproduce"): something broke. */
const BUG_REPORT =
  /\bdescribe the bug\b|\[bug(\/help)?\]|#+ ?reproduction\b|\bsteps to reproduce\b|\bexpected behaviou?r\b/i;

/** "The difference between an A100 and an H100": a comparison when two machines are named. */
const DIFFERENCE = /\bdifference between\b/i;
/** "Which local AI models are best to run on ...": a plan when no model is named. */
const BEST_MODELS = /\b(which|what) (local |open[- ]source )?(ai |llm )?models? (are|is|would be) (the )?best\b/i;

/**
 * "Which graphics card for inference?", "What card is best for training?": asking which machine to
 * get when none is named is asking what is needed, a plan (7 of 9 such questions over the sets; with
 * machines named, the same words choose between them).
 */
const WHICH_CARD =
  /\b(which|what) (\w+ ){0,2}(gpus?|cards?|graphics? cards?|video ?cards?)\b(?=\s*(\?|(is|are|would be|to|for|should|do|works?|fits?)\b))/i;

/** The help the bot itself gives ("help", "what can you do"). */
const BOT_HELP = /^\s*(help|\?|commands|usage|how (do|does) (this|it|whichgpu) work\??)\s*$/i;

/** A choice between two machines, said between their names: "5090 or a Mac Studio", "4090 vs 3090", "A还是B". */
const CHOICE =
  /^[^.?!。？]{0,40}?\b(or|vs\.?|versus)\b|^\s*(against|over)\b|^\s*\/\s*$|^[^.?!。？]{0,20}?(还是|或者|对比)/i;

/**
 * The intent of a question, from its words and the machines read in it; `gaps` are the texts
 * between consecutive machine names.
 */
export function readIntent(
  text: string,
  devices: MachineReading[],
  hasModel: boolean,
  gaps: readonly string[] = [],
  /** How many of the machines were switched away from ("I switched from a 4090 to a 5090"). */
  former = 0,
): Intent {
  if (BOT_HELP.test(text)) return 'help';
  const score = Object.fromEntries(ORDER.map((i) => [i, 0])) as Record<Exclude<Intent, 'other'>, number>;
  for (const intent of ORDER) for (const [re, w] of CUES[intent]) if (re.test(text)) score[intent] += w;
  const current = devices.filter((d) => d.role === 'current').length;
  // "I switched from a 4090 to a 5090": the machine left behind is no candidate; when no other
  // machine is one, the change is made and no upgrade is asked about ("I switched from a 3090 to a
  // 4090. Is a 5090 worth it?" still asks one).
  const candidates = devices.filter((d) => d.role !== 'current').length - former;
  if (former > 0 && candidates === 0) score.upgrade -= 3;
  // Owning one machine and naming another is an upgrade question; naming two without owning is a comparison.
  // Buying is a choice: beside a machine one owns it is an upgrade, else a comparison of what to get.
  const buying = BUYING.test(text);
  if (buying) {
    if (current >= 1) score.upgrade += 2;
    else score.compare += 1.5;
  }
  // "Is this normal?" of a speed or a time just reported (not of a fit: "is it normal that 70b doesn't fit").
  if (NORMAL.test(text) && FIGURE.test(text)) score.speed += 2;
  if (FAILED.test(text) && PROMISED.test(text) && !ASKED_FAILURE.test(text)) score.help += 2.5;
  // A bug report: something broke, to fix. (Out of memory alone is not: people and annotators read
  // a reported OOM as help and as fit about equally, +7 -6 over ten sets.)
  if (BUG_REPORT.test(text)) score.help += 2.5;
  // Of one machine, "how fast can I run" asks its speed; of two set against each other, a choice.
  if (HOW_FAST.test(text) && devices.length < 2 && !AGAINST.test(text)) score.speed += 1;
  if (WHICH_FASTER.test(text) && devices.length >= 2) score.compare += 3;
  if (DIFFERENCE.test(text) && devices.length >= 2) score.compare += 2.5;
  if (BEST_MODELS.test(text) && !hasModel) score.plan += 4;
  if (WHICH_CARD.test(text) && devices.length === 0 && score.upgrade <= 0) score.plan += 3;
  if (current >= 1 && candidates >= 1) {
    score.upgrade += 1.5;
    // "I have a 3090. Should I buy a 5090?": buying beside what one owns is an upgrade.
    score.compare -= 1;
  }
  // Naming two machines is not yet a comparison ("is it enough on a 4090, a 4080 or a 4070?" asks
  // fit); an "or" or "vs" between two of them is.
  if (gaps.some((g) => CHOICE.test(g))) score.compare += 1;
  // One machine is a comparison only when it is being bought (against the machines one could get instead).
  if (devices.length === 1 && !buying) score.compare -= 1.5;
  if (current === 0 || candidates === 0) score.upgrade -= 1;
  if (!hasModel) score.plan += 0.5;
  else score.fit += 0.5;
  // Asking what a model needs is a fit question; what to run on a machine is a plan.
  if (hasModel) score.plan -= 1;
  // Most questions people ask are "will it run on my machine": with a model or a machine and no
  // stronger cue, that is the question.
  // Two machines and nothing else said ("4090 5090") is a comparison.
  let best: Intent =
    devices.length >= 2 && current === 0 ? 'compare' : hasModel || devices.length > 0 ? 'fit' : 'other';
  let bestScore = 0.9;
  for (const intent of ORDER)
    if (score[intent] > bestScore) {
      best = intent;
      bestScore = score[intent];
    }
  return best;
}
