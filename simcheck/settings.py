"""Configuration: every named default and every result-changing threshold, then the frozen settings.

Configuration flows one way: the constants below -> the frozen ``IndexSettings`` / ``CompareSettings``
dataclasses -> click options (``simcheck.cli``). ``IndexSettings`` is recorded in an index's manifest:
a run whose settings differ from the index's is an ``IndexMismatch``. ``CompareSettings`` only affects
how a draft is scored and reported. The other constants are not options; they are named here so that
whoever changes one sees every threshold that decides a result in one place, with why it has its value.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from simcheck.errors import UsageError

# --- where things are -----------------------------------------------------------------------------
DEFAULT_MODEL = "all-MiniLM-L6-v2"
INDEX_ENV_VAR = "SIMCHECK_INDEX"
PROJECT_FILES = ("simcheck.toml", "pyproject.toml")  # searched upward from the current folder, in this order
USER_INDEX_NAME = "default"  # the per-user default index: <user data dir>/simcheck/indexes/default

# --- what an index holds (IndexSettings defaults) ---------------------------------------------------
SHINGLE_WORDS = 3  # word n-gram size of the lexical shingles
NUM_PERM = 128  # MinHash permutations
LSH_BANDS = 32  # bands x rows = NUM_PERM; threshold ~ (1/bands) ** (1/rows) ~ 0.42 Jaccard
LSH_ROWS = 4
MINHASH_SEED = 1
PASSAGE_MAX_WORDS = 96  # passages are cut to fit the embedding model (MiniLM: 256 wordpieces)
PASSAGE_MIN_WORDS = 6  # shorter speeches are merged into windows, never compared alone
EMBED_BATCH_SIZE = 32  # texts per batch on the sentence-transformers backend

# the plain-torch embedding pipeline (simcheck.bert), chosen per device. Texts are tokenized a chunk at a
# time (for a GPU, the next chunk in background threads while the GPU runs the current one), sorted by
# token length and cut into batches of at most a token budget (rows x padded length).
# tokens per batch on the CPU: 1.39x the batch-32 path (benchmarks/cpu_embed_before_after.json)
EMBED_TOKEN_BUDGET_CPU = 2048
EMBED_TOKEN_BUDGET_CUDA = 65536  # tokens per batch on a CUDA GPU (32k-131k ran within 6% on an H200)
EMBED_CHUNK_TEXTS_CPU = 1024  # texts tokenized at a time on the CPU (also the progress step)
EMBED_CHUNK_TEXTS_CUDA = 8192  # texts tokenized at a time for a CUDA GPU
# threads that tokenize a chunk for a GPU, at most one per core (the tokenizer drops the GIL); on an H200
# machine's 16 cores 1/4/8/16 threads gave 11k/28k/38k/49k passages/s end to end: tokenizing bounds it
EMBED_TOKENIZER_THREADS_CUDA = 16
# bf16 autocast on a CUDA GPU only where it agrees with float32 on a fixed set of sentences (min cosine)
EMBED_BF16_MIN_COSINE = 0.9999

# --- how a draft is compared (CompareSettings defaults) --------------------------------------------
SEMANTIC_NEIGHBOURS = 10  # FAISS neighbours per draft passage
MIN_VERBATIM_TOKENS = 8  # shortest verbatim run that counts as evidence (weighted length)
MIN_FUZZY_TOKENS = 12  # shortest gap-tolerant run that counts as evidence (weighted matched positions)
MAX_PAIRS_PER_SCENE = 8  # semantic candidate scene pairs verified per draft scene (lexical ones: all)
LEVELS = ("low", "medium", "high")
FAIL_ON = "high"
FAIL_ON_CHOICES = (*LEVELS, "never")  # "never": report, but always exit 0

# --- levels: rarity thresholds (-log10 of the chance among unrelated scenes) ------------------------
LOW, MEDIUM, HIGH = 2.0, 4.0, 6.0  # 1 unrelated scene in 100, in 10,000, in 1,000,000
MAX_RARITY = 15.0  # rarities are capped here (beyond any sample's support)

# --- semantic evidence (simcheck.match.rarity) -------------------------------------------------------
SEMANTIC_EVIDENCE = 2.0  # passage-pair rarity from which a cosine is evidence
SEMANTIC_FULL = 5.0  # passage-pair rarity at which semantic evidence has strength 1
CANDIDATE_RARITY = 1.0  # looser passage rarity for proposing candidate scene pairs
LENGTH_BINS = (12, 25, 50)  # word-count edges of the passage length bins (short lines resemble more)
MIN_SEMANTIC_PASSAGES = 10_000  # an isolated semantic match is judged as if among at least this many passages
TAIL_SHARE = 0.1  # an exponential tail is fitted to this top share of a sample
LEXICAL_BETA = 3.0  # words of lexical evidence per factor e of rarity (fixed: see simcheck.calibration)
EVIDENCE_MIN_BETA = 2.0  # decay (words per factor e) fitted to the semantic and combined tails: at least
EVIDENCE_MAX_BETA = 6.0  # ... and at most this (a few related scripts in a corpus would otherwise set it)

# --- calibration: measuring the background (simcheck.calibration) -----------------------------------
MIN_SCRIPTS = 12  # fewer reference scripts than this: use the shipped defaults
PASSAGE_SAMPLES = 3000  # reference passages whose top-1 cosine with other scripts is measured
SCENE_SAMPLES = 400  # reference scenes used as pseudo-drafts against the other scripts
PAIR_SAMPLES = 2000  # passages on each side of the random pairs (PAIR_SAMPLES ** 2 pairs)
MIN_BIN_SAMPLES = 30  # a length bin with fewer sampled passages uses the pooled sample of all bins
SAMPLE_SEED = 20240611  # the key of the hash that draws the samples (simcheck.calibration.sample)
SEARCH_K = 40  # neighbours fetched per sampled passage (the best one from another script is kept)
CALIBRATION_MAX_K = 20_000  # ... and at most this many when all the nearest are in its own script
SCENE_MAX_PASSAGES = 500  # a scene with more distinct passages is left out of the scene background, as
# pseudo-draft and as reference (the corpus's longest scene has 470; a file of one 2 MB line is one
# scene of 4,167 passages, which would cost minutes and gigabytes to verify against every sample)
CALIBRATION_MAX_PAIRS = 16  # candidate scene pairs verified per pseudo-draft scene, heaviest first:
# where every script resembles every other (300 tiny scripts written from one vocabulary) it would be
# every script, and the cost quadratic in scripts. On the public corpus (median 8 candidates, 86 of 400
# samples over 16) the low/medium/high thresholds in words come out the same with or without it
CALIBRATION_BATCH = 8192  # passages searched per FAISS/LSH call while calibrating (memory ~ k x 12 B each)
CALIBRATION_REFRESH = 0.1  # a kept scene sample is measured again once the references have grown or
# shrunk by more than this (log of the ratio of passages or scripts; staggered per sample from half of
# it): the word weights it was judged with have moved since
CALIBRATION_FLOOR_DRIFT = 0.005  # ... and once a cosine floor it was judged with (candidate or evidence,
# any length bin) has moved by more than this (a copy added to a small index moves them by 0.01-0.1;
# taking one play out of the public corpus by at most 0.0035)
COSINE_GRID = tuple(round(-0.2 + 0.01 * i, 2) for i in range(121))  # -0.2 .. 1.0, for the pair shares

# --- candidates and verification (simcheck.match) ----------------------------------------------------
LEXICAL_HIT = 1.0  # hit weight of an LSH candidate (a semantic hit weighs cosine minus its floor)
MIN_PIECE_WORDS = 3  # shortest span kept, in words on each side (weighted minimums apply too)
RUN_PIECES = 3  # semantic passage pairs in the same order that make a reworded run
RUN_STEP = 2  # ... each next pair at most this many passages further on both sides
LEXICAL_SCREEN = 0.1  # estimated Jaccard two passages need before their scenes are aligned (large index)
SCREEN_MIN_WORDS = 12  # shorter passages ("Exit.", "Enter KING.") look alike everywhere: not screened on
COVERED_BY_LEXICAL = 0.2  # a semantic passage this much covered by lexical evidence is not listed again

# --- scores (simcheck.match.scoring) ---------------------------------------------------------------
# Commonness of word shingles: a shingle found in more than STOCK_SCRIPTS other reference scripts (or
# STOCK_SHARE of them, whichever is larger) counts half; the weight falls off quadratically.
STOCK_SCRIPTS = 2.0
STOCK_SHARE = 0.02
CHAIN_GAP = 0.1  # rarity units lost per scene skipped on either side of a same-order chain
CHAIN_MIN_RARITY = 1.0  # a scene pair joins a chain only if at most 1 unrelated scene in 10 has its evidence

# --- token alignment (simcheck.match.align; tuned on samples of the PAN 2013 training corpus) --------
ALIGN_MIN_SIMILARITY = 0.4  # multiset Dice a fuzzy span needs
ALIGN_NGRAM = 3  # length of the exact n-gram seeds (tokens)
ALIGN_WINDOW = 24  # length of a diagonal density cell along a (tokens)
ALIGN_BAND = 12  # width of a diagonal density cell across diagonals (tokens of drift between a and b)
ALIGN_MIN_SEED = 4  # distinct matched positions per side that make a diagonal cell dense
ALIGN_BAG_WINDOW = 48  # side of a square density cell (tokens)
ALIGN_BAG_SHARE = 0.15  # share of a square cell's content words (each side) that must be matched
ALIGN_MAX_GAP = 72  # matches closer than this on both sides are grouped into one passage (tokens)
ALIGN_MIN_GAP = 6  # smallest gap tried when a failing fuzzy group is regrouped
ALIGN_MAX_PAIRS = 400  # a word (or n-gram) giving more pairs than this is too common to be a seed
ALIGN_SUPPORT_REACH = 8  # how far along its diagonal a match looks for company (one-to-one step)
ALIGN_MAX_OVERLAP = 0.5  # share of a span that may overlap an already accepted span
ALIGN_RUNS_COVER = 0.9  # verbatim runs out of order are reported run by run when they cover this share
ALIGN_CONTENT_WEIGHT = 0.5  # tokens weighing less never seed on their own
ALIGN_STEM_PREFIX = 7  # stems are cut to this many characters
# A gap-tolerant span is "fuzzy" (the same words lightly edited) when at least this share of its two
# ranges lies in same-order common runs of ALIGN_NGRAM tokens or more; else "reworded" (a paraphrase: the
# examples' scene 3 has 0.09, their lightly edited scenes 2, 7 and 8 have 0.89-0.92), which the report
# labels for what it is, semantic: the same content in other words. Labels only: scores are unchanged.
FUZZY_MIN_RUN_SHARE = 0.5
EVIDENCE_MAX_WORDS = 120  # a longer lexical span is shown as line-level correspondences of about this size

# --- story layer (simcheck.text.units, simcheck.match.story; measured on the dev retellings, see there) --
STORY_UNIT_TARGET_WORDS = 150  # prose is cut into units of at least about this many words, at paragraphs:
# 150 rather than 250 found the right play at medium for 11 (not 7) of 20 renamed retellings without quotes
STORY_PROSE_MIN_UNITS = 16  # a short prose draft is cut into at least this many units (text.units) ...
STORY_UNIT_MIN_WORDS = 35  # ... of at least this many words each: a 500-word synopsis in 14 units, not 3 (a
# chain of 3 is never rare). Synopses first at medium (with the fixed tail decay below): 15 of 20 (40 words:
# 13, 30: 12); 16 units (not 12) also cut the 1,700-word renamed retellings without quotes finer: 14 (not 10)
# of 20 before the tail fix; 20 units let a retelling with its play left out reach medium with another play
STORY_UNIT_MAX_WORDS = 600  # a longer scene is cut into balanced beats of at most about this many words
STORY_NAME_MIN_COUNT = 2  # a prose word capitalised mid-sentence this often (never lower case) is a name
STORY_CANDIDATES = 15  # reference scripts whose story is aligned with the draft's (top votes of the index)
STORY_NEIGHBOURS = 64  # FAISS neighbours (passages) per draft unit vector when voting for candidates
STORY_BACKGROUND = 24  # scripts (content-keyed sample) every chain is judged against; 12 (with 10
# candidates) found half as many renamed retellings without quotes at medium
STORY_MIN_BACKGROUND = 8  # fewer background scripts than this: the shipped default null (see match.story)
STORY_VECTOR_WEIGHT = 0.5  # weight of the unit-vector z-score against the content-word one (0.7: half the
# finds; 0.3: as many, but an innocent play reached medium)
STORY_Z_CAP = 4.5  # a unit pair adds at most this z-score: one very alike pair never makes a chain; 4.0:
# renamed retellings without quotes at medium 17 (not 19) of 20, synopses 11 (not 13); 5.0: an innocent play
# at medium
STORY_OFFSET = 1.6  # z-score a unit pair needs to add to a chain (below it, it costs); 1.25 let an innocent
# play (Life Is a Dream -> Richard III) reach medium; 1.5 let a renamed retelling without quotes reach medium
# with an unrelated play (Measure for Measure -> The Jew of Malta, rarity 4.34, against the corpus less the
# retold plays); 1.6: 3.82, and 18 (not 19) of 20 such retellings and 14 (not 15) synopses first at medium;
# 1.75 found fewer. Cap 4.75 with 1.6 found 19 / 15 but let a synopsis reach medium with another play (4.06)
STORY_CONDENSE = 0.5  # cost of each extra link of a draft unit (or reference unit) told by several
STORY_SKIP_DRAFT = 0.5  # cost of each draft unit skipped inside a chain
STORY_SKIP_REFERENCE = 0.1  # cost of each reference unit skipped inside a chain (retellings condense)
STORY_MIN_BETA = 1.0  # the null tail of chain scores decays by a factor e per this much score, at least ...
STORY_MAX_BETA = 1.0  # ... and at most: a fixed rate; the background sets only where the tail starts. As in
# local sequence alignment (Karlin-Altschul), the decay is set by the cell scores' law (here z-scores, capped
# and offset alike for every draft), not by the draft; fitted per draft from 24 scripts it was noisy upwards
# (one alike play in the null tripled it). Fixed: renamed retellings without quotes at medium 17 (not 14) of
# 20, synopses 11 (not 6), no control at medium
# (u, share, beta) of the chain-score null without a background (pairwise, a tiny index): the 1,088 background
# chain scores met by the 46 non-Shakespeare corpus scripts compared with the corpus index less themselves
# (cap 4.5): u 1.79 (top tenth), pooled beta fitted 1.39 (the pooled sample mixes drafts
# whose tails start at different scores), kept at 1.5 so that the tail matches the sample's own top (p99 5.0,
# max 9.1): conservative where nothing was measured
STORY_DEFAULT_TAIL = (1.79, 0.10, 1.5)
STORY_CAST_MIN_SUPPORT = 2  # chain links a draft and a reference character share before they are paired
STORY_MAX_SHARED = 8  # shared content words shown per link
STORY_HASH_BITS = (
    22  # content words are hashed (crc32) into 2 ** this many columns: collisions ~0.7% of words
)

# --- allowlist ---------------------------------------------------------------------------------------
QUOTE_SHARE = 0.8  # share of a piece's word trigrams inside a ``quote:`` entry that makes it allowed

# --- FAISS index type by size (simcheck.search.vectors; measurements in simcheck.index.reader) -------
FLAT_MAX_PASSAGES = 75_000  # exact search up to here (the shared corpus: 51k); IVF above
IVF_NPROBE = 16  # lists searched per query
IVF_TRAIN_PER_LIST = 16  # k-means sample per list (a deterministic sample of the vectors)
IVF_MIN_PER_LIST = 39  # FAISS's own floor of points per list; fewer lists for small n
IVF_KMEANS_ITERATIONS = 10
IVF_MIN_SEGMENT = 20_000  # in an index above FLAT_MAX_PASSAGES, a segment this large gets its own IVF index
# (an exact search of all the segments of 10^6 passages took seconds per draft); smaller ones stay exact

# --- the on-disk index: segments, building, checks (simcheck.index) ---------------------------------
SEGMENT_PASSAGES = 50_000  # an add writes (and commits) a new segment every this many passages: the build's
# memory is bounded by it, not by the corpus, and a crash loses at most one segment (below the flat limit,
# so a segment is searched exactly)
EMBED_STREAM_TEXTS = 4096  # new texts embedded together, while worker processes read the next files
PARALLEL_MIN_FILES = 8  # fewer files to read than this: read in this process (starting workers costs ~1 s)
MERGE_FACTOR = 8  # this many small segments at the end of the index are merged into one (ids unchanged)
MERGE_MAX_PASSAGES = SEGMENT_PASSAGES // MERGE_FACTOR  # ... "small": fewer live passages than this (a merge
# stays within a segment's size; each passage is merged about twice in a registry grown one script at a time)
RAY_FILES_PER_TASK = 8  # --engine ray: files read and cut per Ray task
RAY_EMBED_SCRIPTS = 16  # ... scripts whose passages one embedding actor call takes
RAY_CPU_EMBED_THREADS = (
    2  # ... without GPUs: one embedding actor (torch on this many threads) per this many CPUs
)
MAX_MANIFEST_BYTES = 64 * 1_000_000  # a manifest beyond this is not read (a format 2 one is ~1 KB a segment)

# --- input limits (simcheck.read; simcheck.read.caps says where each is checked) -------------------
# Caps on legal-but-huge input: each sits far above the shared corpus (83 scripts), the PAN 2013 prose
# documents and long feature scripts, so that no real script meets one, and keeps any single file
# within seconds and well under 2 GB of memory (tests/hostile.py measures both).
MB = 1_000_000
MAX_FILE_BYTES = 50 * MB  # scripts are well under 1 MB; anything at 50 MB or more is refused
STRAY_NUL_SHARE = 0.01  # more NUL characters than this share of the text: a binary file
MAX_ZIP_RATIO = 200  # a script compresses ~5-10x; zip bombs compress thousands of times
MAX_ALLOWLIST_BYTES = 1 * MB  # an allowlist holds paths and quotes: kilobytes
MAX_LINES = 100_000  # lines of a script's text (corpus: at most 8,382; a 300-page laid-out script ~17,000)
MAX_LINE_CHARS = 100_000  # characters on one line (corpus: at most 2,870; PAN prose paragraphs 72,117)
MAX_PARAGRAPHS = 50_000  # paragraphs (FDX, Fade In) or elements of a script (corpus: at most 5,180)
MAX_XML_TAGS = 1_000_000  # tags in an FDX / Fade In document (a feature-length FDX: ~50,000)
MAX_PDF_PAGES = 300  # a feature script runs 90-180 pages
MAX_PDF_CHARS = 500_000  # characters on all pages (120 pages: ~110,000-180,000; 300 pages of ~1,650)
MAX_PDF_PAGE_BYTES = 256_000  # inflated content stream of one page (a full screenplay page: 3-60 KB)
MAX_PDF_INFLATED_BYTES = 256 * MB  # all deflated streams of a PDF inflated (a flate bomb: gigabytes)
MAX_PASSAGES = 4_000  # passages of one script to compare (corpus: at most 1,444; PAN prose: 969)
MAX_PASSAGE_WORDS = 512  # words a passage may be set to hold (models read 256-512 wordpieces; default 96)


def level_rank(level: str | None) -> int:
    """0 for no level, 1 low, 2 medium, 3 high."""
    return LEVELS.index(level) + 1 if level in LEVELS else 0


@dataclass(frozen=True)
class IndexLocation:
    """Which index a command uses and why: ``source`` is ``--index``, ``$SIMCHECK_INDEX``, the project
    file that names it, or ``the per-user default``."""

    path: Path
    source: str


def resolve_index(explicit: str | Path | None = None, start: Path | None = None) -> IndexLocation:
    """The index folder: ``explicit`` (``--index``), else ``$SIMCHECK_INDEX``, else the project setting
    (``index = "..."`` in a ``simcheck.toml``, or under ``[tool.simcheck]`` in a ``pyproject.toml``,
    the nearest found from ``start`` (the current folder) upward; relative to that file's folder),
    else the per-user default (``user_index_dir``). A project file that cannot be read is a
    ``UsageError`` naming it."""
    if explicit is not None and str(explicit):
        return IndexLocation(Path(explicit).expanduser(), "--index")
    env = os.environ.get(INDEX_ENV_VAR)
    if env:
        return IndexLocation(Path(env).expanduser(), f"${INDEX_ENV_VAR}")
    found = project_index(start or Path.cwd())
    if found is not None:
        return found
    return IndexLocation(user_index_dir(), "the per-user default")


def default_index_dir() -> Path:
    """The index used when none is given: see ``resolve_index``."""
    return resolve_index().path


def user_index_dir() -> Path:
    """The per-user default index (``~/.local/share/simcheck/indexes/default`` on Linux; platformdirs)."""
    import platformdirs  # 0.01 s; only when no index is named (measured)

    return Path(platformdirs.user_data_path("simcheck")) / "indexes" / USER_INDEX_NAME


def project_index(start: Path) -> IndexLocation | None:
    """The index named by the nearest project file at or above ``start`` (see ``resolve_index``)."""
    folder = start.resolve()
    for place in (folder, *folder.parents):
        for name in PROJECT_FILES:
            file = place / name
            if not file.is_file():
                continue
            value = _index_setting(file)
            if value is not None:
                return IndexLocation(place / Path(value).expanduser(), str(file))
    return None


def _index_setting(file: Path) -> str | None:
    """``index`` of a simcheck.toml, or ``[tool.simcheck] index`` of a pyproject.toml (None: not set)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{file}: cannot be read ({type(error).__name__})") from None
    ours = file.name == "simcheck.toml"
    if not ours and "simcheck" not in text:
        return None  # someone else's pyproject.toml: never parsed, never an error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        if not ours and "[tool.simcheck]" not in text:
            return None
        raise UsageError(f"{file}: not valid TOML ({error})") from None
    table = data if ours else data.get("tool", {}).get("simcheck", {})
    value = table.get("index") if isinstance(table, dict) else None
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        where = "index" if ours else "[tool.simcheck] index"
        raise UsageError(f'{file}: {where} must be a folder name in quotes, such as index = "indexes/refs"')
    return value


@dataclass(frozen=True)
class IndexSettings:
    """Everything that decides what an index contains. Recorded in the manifest."""

    model: str = DEFAULT_MODEL
    shingle_words: int = SHINGLE_WORDS
    num_perm: int = NUM_PERM
    lsh_bands: int = LSH_BANDS
    lsh_rows: int = LSH_ROWS
    minhash_seed: int = MINHASH_SEED
    passage_max_words: int = PASSAGE_MAX_WORDS
    passage_min_words: int = PASSAGE_MIN_WORDS

    def __post_init__(self) -> None:
        if self.lsh_bands * self.lsh_rows != self.num_perm:
            raise ValueError(
                f"lsh_bands x lsh_rows must equal num_perm ({self.lsh_bands} x {self.lsh_rows} != "
                f"{self.num_perm}): change one of them"
            )
        if self.shingle_words < 1:
            raise ValueError("shingle_words must be at least 1")
        if self.passage_min_words > self.passage_max_words:
            raise ValueError("passage_min_words must not exceed passage_max_words")
        if not 1 <= self.passage_max_words <= MAX_PASSAGE_WORDS or self.passage_min_words < 1:
            raise ValueError(f"passage sizes must lie between 1 and {MAX_PASSAGE_WORDS} words")


# --- the story finding as the report shows it (simcheck.report.story) ---------------------------------
STORY_EXCERPT_LINES = 4  # opening non-blank lines of a story unit shown beside its counterpart
STORY_EXCERPT_CHARS = 360  # ... cut at a line end by this many characters (a prose paragraph is one line)
STORY_SUMMARY_SHOWN = 3  # story findings named in the overall summary sentence; the rest are counted

# --- condensations: a short draft stretch with evidence all over a long reference one (report.condense) -
# Evidence items of one reference within this many characters of each other on both sides are one
# stretch (about a page and a half of a screenplay, a page of prose) ...
CONDENSED_GAP_CHARS = 3000
# ... which condenses the reference when its reference side is at least this many times longer than its
# draft side (a summary, a synopsis, a scene that tells several), ...
CONDENSED_MIN_RATIO = 2.0
# ... rests on at least this many evidence items ...
CONDENSED_MIN_EVIDENCE = 2
# ... and spans at least this many draft characters (PAN's shortest detection, benchmarks.pan).
CONDENSED_MIN_CHARS = 150
# Echoes (``report.condense``): another passage of the matched reference scene that a draft passage holding
# semantic evidence resembles at a chance of at most this much for one unrelated pair (the calibration's
# pair law; 1e-3 let copies in news text echo their neighbours: PAN parts 3-4 lost up to 0.04 plagdet).
CONDENSED_ECHO_CHANCE = 1e-4
# Reworded evidence whose two sides share at least this much of their words (multiset Dice, the item's
# similarity) is a shuffled or lightly edited copy: like verbatim and fuzzy evidence it tells its partner,
# not the pages around it, and has no echoes. Summaries share about half (PAN part 5's reworded items with
# echoes: median 0.49, 80% below 0.6); random-obfuscation copies more (part 3: median 0.68, 81% at 0.6 or
# above), and their echoes only widened them past the case.
CONDENSED_ECHO_MAX_DICE = 0.6


@dataclass(frozen=True)
class CompareSettings:
    """How a draft is scored against references and which results are reported."""

    semantic_neighbours: int = SEMANTIC_NEIGHBOURS
    min_verbatim_tokens: int = MIN_VERBATIM_TOKENS
    min_fuzzy_tokens: int = MIN_FUZZY_TOKENS
    fail_on: str = FAIL_ON
    allow: tuple[str, ...] = field(default=())  # allowlist entries (paths, globs, PATH:LINES, quote: TEXT)
    allowlist_files: tuple[str, ...] = field(default=())  # files of allowlist entries, one per line
    max_pairs_per_scene: int = MAX_PAIRS_PER_SCENE  # semantic candidate scene pairs verified per draft scene
    absolute_paths: bool = False  # reports name references by absolute path (default: relative to the root)
    story: bool = True  # judge the story too (simcheck.match.story); False (--no-story): words only

    def __post_init__(self) -> None:
        if self.fail_on not in FAIL_ON_CHOICES:
            raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON_CHOICES)}, not {self.fail_on!r}")
        if self.semantic_neighbours < 1:
            raise ValueError("semantic_neighbours must be at least 1")
        if self.min_verbatim_tokens < 1 or self.min_fuzzy_tokens < 1:
            raise ValueError("min_verbatim_tokens and min_fuzzy_tokens must be at least 1")
        if self.max_pairs_per_scene < 1:
            raise ValueError("max_pairs_per_scene must be at least 1")
