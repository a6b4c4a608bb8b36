//! Runs the pipeline over a batch: one post at a time through split, parse, extract, analyse,
//! plan, apply and (in write mode) an atomic write, in parallel, collecting one [`FileReport`]
//! per post in path order. Per-file failures become reports; they never stop the batch.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, OnceLock};
use std::time::Duration;

use serde::Serialize;

use crate::discover::Input;
use crate::document::{Document, MAX_FILE_SIZE};
use crate::error::{Error, Result};
use crate::extract::{extract_blocks, TextBlock, Zone};
use crate::field::{Field, CANONICAL_ORDER};
use crate::front_matter::FrontMatter;
use crate::matcher::{MatchText, Matcher};
use crate::plan::{select_fields, FieldEdit, FieldPolicy, FieldValue, Plan, Selection};
use crate::report::unified_diff;
use crate::score::{
    locate_evidence, score_candidates, written_names, Candidate, PostContext, Scoring,
};
use crate::segment::{Segmenter, Token};
use crate::summary::{detect_language, summarize, Language, SummaryOptions};
use crate::topic::{TopicModel, TopicSuggestion};
use crate::vocab::Vocabulary;
use crate::window::Window;
use crate::write::{apply_plan, remove_stale_temp_files, write_atomic, Snapshot};

/// What a run does with each post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Write the filled post in place.
    Write,
    /// Write nothing; report which posts would change.
    Check,
    /// Write nothing; render a unified diff of each change.
    Diff,
    /// Return the filled post as text (stdin to stdout).
    Stdout,
}

/// Which language(s) the summary is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryLang {
    /// The post's main language.
    #[default]
    Auto,
    /// Always Chinese, from the Chinese text.
    Zh,
    /// Always English, from the English text (the originals in a bilingual post).
    En,
    /// The main language in `summary`, and English from the originals in `summary_en`.
    Both,
}

/// How much of the reasoning behind a post's planned edits a fill keeps for its report. The
/// reasons cost more than the choice: pinning each kept mention to its line and column searches
/// the file, and naming the strongest keywords of every topic class ranks them as they are
/// scored. Only some reports show them; the planned edits are the same either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// The planned edits alone: [`FileReport::candidates`] stays empty, [`FileReport::topics`]
    /// `None`, and [`FileReport::language`] is found only for a summary that follows it (what
    /// the human report, a write, a diff and stdin editing read).
    #[default]
    Plan,
    /// The edits, the post's language and, for the fields filled, every scored entity candidate
    /// with its first [`FILL_EVIDENCE`] mentions pinned to line and column, and the tag, category
    /// and area candidates with their strongest evidence (what the JSON report shows).
    Evidence,
}

/// Resolved options for a run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Which fields to fill.
    pub policy: FieldPolicy,
    /// The key each field has in this repo.
    pub keys: BTreeMap<Field, String>,
    /// The order in which missing keys are placed.
    pub key_order: Vec<String>,
    /// Summary languages.
    pub summary_lang: SummaryLang,
    /// Summary lengths.
    pub summary: SummaryOptions,
    /// Weights, thresholds and limits for the entity fields, and whether to propose names the
    /// vocabulary lacks.
    pub scoring: Scoring,
    /// What reports keep besides the planned edits: the candidates, evidence and language.
    pub detail: Detail,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            policy: FieldPolicy::default(),
            keys: Field::ALL
                .iter()
                .map(|f| (*f, f.name().to_owned()))
                .collect(),
            key_order: CANONICAL_ORDER.iter().map(|k| (*k).to_owned()).collect(),
            summary_lang: SummaryLang::Auto,
            summary: SummaryOptions::default(),
            scoring: Scoring::default(),
            detail: Detail::default(),
        }
    }
}

impl Options {
    /// The key a field has in this repo.
    pub fn key(&self, field: Field) -> String {
        self.keys
            .get(&field)
            .cloned()
            .unwrap_or_else(|| field.name().to_owned())
    }
}

/// What happened to one post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Fields were filled (or would be, in check and diff modes).
    Filled,
    /// The post already has some of the fields set; left byte-identical.
    AlreadyFilled,
    /// Nothing could be filled (no text to draw from, or the asked fields are set).
    Unchanged,
    /// The post could not be processed; left byte-identical.
    Error,
}

/// The outcome for one post.
#[derive(Debug)]
pub struct FileReport {
    /// The post's path (`-` for stdin).
    pub path: PathBuf,
    /// What happened.
    pub status: Status,
    /// The edits made or planned.
    pub plan: Plan,
    /// The post's main language, when it was analysed and either the summary's language followed
    /// it or the run keeps [`Detail::Evidence`].
    pub language: Option<Language>,
    /// Size of the post in bytes.
    pub bytes: u64,
    /// The unified diff, in diff mode.
    pub diff: Option<String>,
    /// The resulting post, in stdout mode (the input unchanged when nothing was filled).
    pub output: Option<Vec<u8>>,
    /// The error, when the status is [`Status::Error`].
    pub error: Option<Error>,
    /// The scored candidates of each entity field that was filled, each with the first
    /// [`FILL_EVIDENCE`] of its mentions as evidence (`explain` gives them all), when the run
    /// keeps [`Detail::Evidence`].
    pub candidates: BTreeMap<Field, Vec<Candidate>>,
    /// The tag, category and area suggestions with their evidence, when any was filled and the
    /// run keeps [`Detail::Evidence`].
    pub topics: Option<TopicSuggestion>,
}

impl FileReport {
    fn error(path: PathBuf, error: Error) -> Self {
        Self {
            path,
            status: Status::Error,
            plan: Plan::default(),
            language: None,
            bytes: 0,
            diff: None,
            output: None,
            error: Some(error),
            candidates: BTreeMap::new(),
            topics: None,
        }
    }
}

/// Counts for the end-of-run summary line.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Posts looked at.
    pub files: usize,
    /// Posts filled (or that would be).
    pub filled: usize,
    /// Posts left as they were (already filled or nothing to fill).
    pub unchanged: usize,
    /// Posts that failed.
    pub errors: usize,
    /// Bytes read.
    pub bytes: u64,
    /// Wall time of the run.
    #[serde(serialize_with = "serialize_secs")]
    pub elapsed: Duration,
}

fn serialize_secs<S: serde::Serializer>(
    d: &Duration,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}

impl Totals {
    /// Sums the reports of a run.
    pub fn from_reports(reports: &[FileReport], elapsed: Duration) -> Self {
        let mut totals = Self {
            elapsed,
            ..Self::default()
        };
        for report in reports {
            totals.add(report);
        }
        totals
    }

    /// Counts one more report (a streamed run keeps only these totals).
    pub fn add(&mut self, report: &FileReport) {
        self.files += 1;
        self.bytes += report.bytes;
        match report.status {
            Status::Filled => self.filled += 1,
            Status::AlreadyFilled | Status::Unchanged => self.unchanged += 1,
            Status::Error => self.errors += 1,
        }
    }
}

/// How many of a candidate's mentions a fill keeps as evidence, pinned to line and column.
pub const FILL_EVIDENCE: usize = 3;

/// The loaded, shared state of a run: options, vocabulary, and the segmenter and matcher,
/// which are built on the first post that needs them (a run over filled posts never pays).
#[derive(Debug)]
pub struct Engine {
    options: Options,
    vocabulary: Arc<Vocabulary>,
    segmenter: Segmenter,
    matcher: OnceLock<Matcher>,
    topics: Option<TopicSlot>,
}

/// The tag vocabulary and taxonomy. A repo's own files are read (and checked) before any post;
/// the shipped ones, 1.1 MB of YAML, are parsed the first time a post needs tags, category or
/// area, so a pre-commit check of filled posts never pays for them.
struct TopicSlot {
    model: OnceLock<Arc<TopicModel>>,
    load: Box<dyn Fn() -> TopicModel + Send + Sync>,
}

impl TopicSlot {
    fn get(&self) -> &TopicModel {
        self.model.get_or_init(|| Arc::new((self.load)()))
    }
}

impl std::fmt::Debug for TopicSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TopicSlot")
            .field("loaded", &self.model.get().is_some())
            .finish()
    }
}

impl Engine {
    /// Prepares a run with the shipped vocabulary.
    pub fn new(options: Options) -> Self {
        let vocabulary = Vocabulary::shipped()
            .expect("the shipped dictionaries are valid (tests/dictionaries.rs checks them)");
        Self::with_vocabulary(options, Arc::new(vocabulary))
    }

    /// Prepares a run with a loaded vocabulary; its Han aliases become jieba words.
    pub fn with_vocabulary(options: Options, vocabulary: Arc<Vocabulary>) -> Self {
        Self {
            options,
            segmenter: Segmenter::for_vocabulary(&vocabulary),
            vocabulary,
            matcher: OnceLock::new(),
            topics: None,
        }
    }

    /// Uses this tag vocabulary and taxonomy for `tags`, `category` and `area`.
    pub fn with_topics(mut self, topics: Arc<TopicModel>) -> Self {
        let model = OnceLock::new();
        let _ = model.set(topics);
        self.topics = Some(TopicSlot {
            model,
            load: Box::new(|| unreachable!("the model was given")),
        });
        self
    }

    /// Uses the tag vocabulary and taxonomy that `load` makes, made on the first post that needs
    /// them (for the shipped files, whose validity the tests guarantee).
    pub fn with_lazy_topics(
        mut self,
        load: impl Fn() -> TopicModel + Send + Sync + 'static,
    ) -> Self {
        self.topics = Some(TopicSlot {
            model: OnceLock::new(),
            load: Box::new(load),
        });
        self
    }

    /// The segmenter this engine uses.
    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// The run's options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The run's vocabulary.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    fn matcher(&self) -> &Matcher {
        self.matcher.get_or_init(|| Matcher::new(&self.vocabulary))
    }

    /// Processes every input in parallel; `on_done` is called as each post finishes (for a
    /// progress bar). Reports come back in input order.
    pub fn run(
        &self,
        inputs: &[Input],
        mode: Mode,
        on_done: &(dyn Fn(&FileReport) + Sync),
    ) -> Vec<FileReport> {
        let mut reports = Vec::with_capacity(inputs.len());
        self.stream(inputs, mode, on_done, |report| reports.push(report));
        reports
    }

    /// Like [`Engine::run`], but hands each report to `emit` in input order as soon as it and
    /// every earlier one are done, so a batch holds only the few reports finished out of order.
    pub fn stream(
        &self,
        inputs: &[Input],
        mode: Mode,
        on_done: &(dyn Fn(&FileReport) + Sync),
        emit: impl FnMut(FileReport),
    ) {
        self.prepare(inputs, mode);
        in_input_order(
            inputs,
            |input| {
                let report = self.process_input(input, mode);
                on_done(&report);
                report
            },
            emit,
        );
    }

    /// Start-of-run chores for these inputs: in write mode, temp files left by a killed run.
    pub fn prepare(&self, inputs: &[Input], mode: Mode) {
        if mode == Mode::Write {
            sweep_stale_temp_files(inputs);
        }
    }

    /// Processes one input (a post or stdin) into its report.
    pub fn process_input(&self, input: &Input, mode: Mode) -> FileReport {
        match input {
            Input::File(path) => self.process_file(path, mode),
            Input::Stdin => {
                let mode = if mode == Mode::Write {
                    Mode::Stdout
                } else {
                    mode
                };
                let mut bytes = Vec::new();
                let path = PathBuf::from("-");
                // Read all of it, even past the size limit: a post that is refused is echoed back
                // to stdout, and an editor replacing its buffer with a truncated echo loses text.
                match std::io::stdin().lock().read_to_end(&mut bytes) {
                    Ok(_) => self.process_bytes(&path, bytes, mode, None),
                    Err(source) => FileReport::error(path.clone(), Error::Read { path, source }),
                }
            }
            Input::Unreadable(path, message) => FileReport::error(
                path.clone(),
                Error::Read {
                    path: path.clone(),
                    source: std::io::Error::other(message.clone()),
                },
            ),
        }
    }

    /// Processes one post on disk.
    pub fn process_file(&self, path: &Path, mode: Mode) -> FileReport {
        let read = |path: &Path| -> Result<(Vec<u8>, Option<Snapshot>)> {
            let fail = |source| Error::Read {
                path: path.to_path_buf(),
                source,
            };
            let meta = fs::metadata(path).map_err(fail)?;
            if meta.is_dir() {
                return Err(fail(std::io::Error::other("is a directory")));
            }
            if meta.len() > MAX_FILE_SIZE {
                return Err(Error::TooLarge {
                    path: path.to_path_buf(),
                    size: meta.len(),
                    limit: MAX_FILE_SIZE,
                });
            }
            let bytes = fs::read(path).map_err(fail)?;
            // Only a write compares the file with what was read; hashing it costs as much as
            // reading it.
            let snapshot = (mode == Mode::Write).then(|| Snapshot::new(&meta, &bytes));
            Ok((bytes, snapshot))
        };
        match read(path) {
            Ok((bytes, snapshot)) => self.process_bytes(path, bytes, mode, snapshot.as_ref()),
            Err(error) => FileReport::error(path.to_path_buf(), error),
        }
    }

    /// Processes one post given as bytes; writes it back only in [`Mode::Write`] with a snapshot.
    pub fn process_bytes(
        &self,
        path: &Path,
        bytes: Vec<u8>,
        mode: Mode,
        snapshot: Option<&Snapshot>,
    ) -> FileReport {
        let size = bytes.len() as u64;
        let original = (mode == Mode::Stdout).then(|| bytes.clone());
        let mut report = match self.fill(path, bytes) {
            Ok(filled) => {
                let mut report = FileReport {
                    path: path.to_path_buf(),
                    status: filled.status,
                    plan: filled.plan,
                    language: filled.language,
                    bytes: size,
                    diff: None,
                    output: None,
                    error: None,
                    candidates: filled.candidates,
                    topics: filled.topics,
                };
                if let Some(new_text) = filled.text {
                    match mode {
                        Mode::Write => {
                            if let Some(snapshot) = snapshot {
                                if let Err(error) = write_atomic(path, &new_text, snapshot) {
                                    report.status = Status::Error;
                                    report.error = Some(error);
                                }
                            }
                        }
                        Mode::Diff => {
                            report.diff = Some(unified_diff(path, &filled.original, &new_text));
                        }
                        Mode::Stdout => report.output = Some(new_text.into_bytes()),
                        Mode::Check => {}
                    }
                }
                report
            }
            Err(error) => {
                let mut report = FileReport::error(path.to_path_buf(), error);
                report.bytes = size;
                report
            }
        };
        if mode == Mode::Stdout && report.output.is_none() {
            report.output = original;
        }
        report
    }

    /// Fills a post in memory: returns the plan and, when anything changes, the new text.
    ///
    /// # Errors
    /// Any read, parse or verification error for this post.
    pub fn fill(&self, path: &Path, bytes: Vec<u8>) -> Result<Filled> {
        let doc = Document::from_bytes(path, bytes)?;
        let fm = FrontMatter::parse(&doc)?;
        let fields = match select_fields(&fm, &self.options.policy, |f| self.options.key(f)) {
            Selection::AlreadyFilled => {
                return Ok(Filled::unchanged(doc.text, Status::AlreadyFilled, None))
            }
            Selection::Fill(fields) if fields.is_empty() => {
                return Ok(Filled::unchanged(doc.text, Status::Unchanged, None))
            }
            Selection::Fill(fields) => fields,
        };
        // The post needs analysis: the segmenter's table is built on another core.
        self.segmenter.prepare_in_background();
        let blocks = post_blocks(&doc, &fm);
        if fields.iter().any(|f| f.is_entity())
            && !Segmenter::tagger_started()
            && Matcher::may_tag_names(&blocks, &self.vocabulary)
        {
            Segmenter::prepare_tagger_in_background();
        }
        // The main language decides an automatic summary's; otherwise only the JSON report shows
        // it, so it is found when first asked for.
        let found_language = OnceCell::new();
        let language = || *found_language.get_or_init(|| detect_language(&blocks));
        // Segmentation waits for the jieba table; what else this post needs is built first, so
        // that a cold run builds it on this core while the table is built on the other.
        if fields.iter().any(|f| f.is_entity()) {
            self.matcher();
        }
        if let Some(slot) = self
            .topics
            .as_ref()
            .filter(|_| fields.iter().any(|f| f.is_topic()))
        {
            slot.get();
        }
        // Topic features and the summary read the post's window. For topics its blocks are cut
        // once, and the summary and alias alignment take their words too; elsewhere alignment
        // cuts only the runs at its hits, and the summary only its sentences.
        let window = Window::of(&blocks);
        let topic = fields.iter().any(|f| f.is_topic());
        let tokens = (self.segmenter).segment_blocks_where(&blocks, |i| topic && window.reads(i));
        let evidence = self.options.detail == Detail::Evidence;
        // Topic features read the tokens just cut, while they are still cached: entity scoring
        // walks tables large enough to push them out.
        let features = match &self.topics {
            Some(slot) if fields.iter().any(|f| f.is_topic()) => {
                let model = slot.get();
                let features = model
                    .post_features(&blocks, &tokens, &window)
                    .with_channel(topic_channel(&fm));
                Some((model, features))
            }
            _ => None,
        };
        let mut candidates = if fields.iter().any(|f| f.is_entity()) {
            let kept = if evidence { FILL_EVIDENCE } else { 0 };
            self.score_entities(&doc, &fm, &blocks, &tokens, kept)
        } else {
            BTreeMap::new()
        };
        candidates.retain(|field, _| fields.contains(field));
        let topics = features.map(|(model, features)| {
            let text = window.body_text(&blocks);
            if evidence {
                model.suggest_post(&features, &text)
            } else {
                model.choose_post(&features, &text)
            }
        });
        let mut edits = Vec::new();
        for field in fields {
            if let Some(value) = self
                .suggest(
                    field,
                    &PostWords {
                        blocks: &blocks,
                        tokens: &tokens,
                        window: &window,
                    },
                    language,
                    &candidates,
                    topics.as_ref(),
                )
                .filter(|v| !v.is_empty())
            {
                let key = self.options.key(field);
                let replaces = !fm.is_empty(&key);
                edits.push(FieldEdit {
                    field,
                    key,
                    value,
                    replaces,
                });
            }
        }
        let plan = Plan { edits };
        let (candidates, topics, language) = if evidence {
            (candidates, topics, Some(language()))
        } else {
            (BTreeMap::new(), None, found_language.get().copied())
        };
        if plan.is_empty() {
            let mut filled = Filled::unchanged(doc.text, Status::Unchanged, language);
            filled.candidates = candidates;
            filled.topics = topics;
            return Ok(filled);
        }
        let new_text = apply_plan(&doc, &fm, &plan, &self.options.key_order)?;
        if new_text == doc.text {
            let mut filled = Filled::unchanged(doc.text, Status::Unchanged, language);
            filled.candidates = candidates;
            filled.topics = topics;
            return Ok(filled);
        }
        Ok(Filled {
            original: doc.text,
            text: Some(new_text),
            plan,
            status: Status::Filled,
            language,
            candidates,
            topics,
        })
    }

    /// Scores every entity candidate of a post, whatever its front matter holds, and lists the
    /// values each field has now (for `frontfill explain`).
    ///
    /// # Errors
    /// A read or parse error for this post.
    pub fn explain(&self, path: &Path, bytes: Vec<u8>) -> Result<Explanation> {
        let doc = Document::from_bytes(path, bytes)?;
        let fm = FrontMatter::parse(&doc)?;
        let blocks = post_blocks(&doc, &fm);
        let tokens = self.segmenter.segment_blocks(&blocks);
        let candidates = self.score_entities(&doc, &fm, &blocks, &tokens, usize::MAX);
        let fields = candidates
            .into_iter()
            .map(|(field, candidates)| {
                let current = fm.texts(&self.options.key(field));
                (
                    field,
                    FieldExplanation {
                        current,
                        candidates,
                    },
                )
            })
            .collect();
        let topics = self.topics.as_ref().map(TopicSlot::get).map(|model| {
            let window = Window::of(&blocks);
            let features = model
                .post_features(&blocks, &tokens, &window)
                .with_channel(topic_channel(&fm));
            model.suggest_post(&features, &window.body_text(&blocks))
        });
        Ok(Explanation {
            path: path.to_path_buf(),
            fields,
            topics,
        })
    }

    /// Matches the vocabulary (and, with discovery, proposes new names), then scores.
    fn score_entities(
        &self,
        doc: &Document,
        fm: &FrontMatter,
        blocks: &[TextBlock],
        tokens: &[Vec<Token<'_>>],
        evidence: usize,
    ) -> BTreeMap<Field, Vec<Candidate>> {
        let matcher = self.matcher();
        let text = MatchText::new(blocks, tokens, &self.segmenter);
        let mut mentions = matcher.find_mentions(&text);
        let proposals = if self.options.scoring.discover {
            matcher.propose_names(blocks, &self.vocabulary, &mentions, &self.segmenter)
        } else {
            Vec::new()
        };
        mentions.extend(matcher.find_proposed(&text, &proposals));
        let post = PostContext {
            channel: ["speaker", "author"]
                .iter()
                .flat_map(|key| fm.texts(key))
                .collect(),
        };
        let mut candidates = score_candidates(
            &mentions,
            &proposals,
            &self.vocabulary,
            &post,
            &self.options.scoring,
            // Pinning a mention to its line and column searches the file; a fill reports only
            // the first few per candidate, and a name mentioned fifty times would cost fifty
            // searches.
            evidence,
        );
        if evidence > 0 {
            locate_evidence(doc.text(), &mut candidates);
        }
        candidates
    }

    fn suggest(
        &self,
        field: Field,
        words: &PostWords<'_, '_>,
        language: impl Fn() -> Language,
        candidates: &BTreeMap<Field, Vec<Candidate>>,
        topics: Option<&TopicSuggestion>,
    ) -> Option<FieldValue> {
        let PostWords {
            blocks,
            tokens,
            window,
        } = *words;
        let summary = |lang: Language| {
            summarize(
                blocks,
                tokens,
                window,
                lang,
                &self.segmenter,
                &self.options.summary,
            )
        };
        match field {
            Field::Summary => {
                let lang = match self.options.summary_lang {
                    SummaryLang::Auto | SummaryLang::Both => language(),
                    SummaryLang::Zh => Language::Chinese,
                    SummaryLang::En => Language::English,
                };
                summary(lang).map(FieldValue::Text)
            }
            Field::SummaryEn => {
                // Drawn from the English originals (`<details>`) alone: the Chinese body comes
                // first in the post and would otherwise end up in the English summary. A post
                // without originals has no second language, so it gets no `summary_en`.
                let originals: Vec<TextBlock> = blocks
                    .iter()
                    .filter(|b| b.zone == Zone::English)
                    .cloned()
                    .collect();
                if originals.is_empty() {
                    return None;
                }
                let tokens: Vec<Vec<Token<'_>>> = blocks
                    .iter()
                    .zip(tokens)
                    .filter(|(b, _)| b.zone == Zone::English)
                    .map(|(_, t)| t.clone())
                    .collect();
                summarize(
                    &originals,
                    &tokens,
                    &Window::of(&originals),
                    Language::English,
                    &self.segmenter,
                    &self.options.summary,
                )
                .map(FieldValue::Text)
            }
            Field::People | Field::CompaniesOrgs | Field::ProductsModels | Field::MediaBooks => {
                candidates
                    .get(&field)
                    .map(|c| FieldValue::List(written_names(c)))
            }
            Field::Tags => topics.map(|t| FieldValue::List(t.chosen_tags())),
            Field::Category => topics
                .and_then(TopicSuggestion::chosen_category)
                .map(FieldValue::Text),
            Field::Area => topics
                .and_then(TopicSuggestion::chosen_area)
                .map(FieldValue::Text),
        }
    }
}

/// Removes the temp files a killed run left beside the posts this run may write.
/// Runs `work` over `items` on the rayon pool and hands the results to `emit` in item order, each
/// as soon as it and all earlier ones are done. Workers take the items in order (not rayon's
/// halving split), so the only results waiting are those finished ahead of a slower earlier
/// one, and the bounded channel stops workers from running far ahead of `emit`.
pub fn in_input_order<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&T) -> R + Sync,
    mut emit: impl FnMut(R),
) {
    let workers = rayon::current_num_threads().clamp(1, items.len().max(1));
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::sync_channel::<(usize, R)>(workers * 4);
    rayon::in_place_scope(|scope| {
        for _ in 0..workers {
            let (sender, next, work) = (sender.clone(), &next, &work);
            scope.spawn(move |_| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(index) else { break };
                if sender.send((index, work(item))).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        let mut waiting = BTreeMap::new();
        let mut wanted = 0;
        for (index, result) in receiver {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&wanted) {
                emit(result);
                wanted += 1;
            }
        }
    });
}

fn sweep_stale_temp_files(inputs: &[Input]) {
    let started = std::time::SystemTime::now();
    let folders: std::collections::BTreeSet<PathBuf> = inputs
        .iter()
        .filter_map(|input| match input {
            // The writer puts its temp file beside the symlink's target.
            Input::File(path) => fs::canonicalize(path).ok()?.parent().map(Path::to_path_buf),
            Input::Stdin | Input::Unreadable(..) => None,
        })
        .collect();
    for folder in folders {
        remove_stale_temp_files(&folder, started);
    }
}

/// The channel a post comes from, for the topic scorer: its `speaker`, else its `author`.
pub fn topic_channel(fm: &FrontMatter) -> Option<&str> {
    fm.text("speaker")
        .filter(|s| !s.trim().is_empty())
        .or_else(|| fm.text("author"))
}

/// The title (as a block of its own) and the body's text blocks.
pub fn post_blocks(doc: &Document, fm: &FrontMatter) -> Vec<TextBlock> {
    let mut blocks = Vec::new();
    if let Some(title) = fm.text("title").filter(|t| !t.trim().is_empty()) {
        let line = fm.entry("title").map_or(1, |e| e.line);
        blocks.push(TextBlock {
            zone: Zone::Title,
            text: title.to_owned(),
            line,
            bold: Vec::new(),
            speaker: None,
        });
    }
    blocks.extend(extract_blocks(doc.body(), doc.body_first_line()));
    blocks
}

/// A post's blocks, the tokens of those that were cut, and its window.
#[derive(Clone, Copy)]
struct PostWords<'p, 't> {
    blocks: &'p [TextBlock],
    tokens: &'p [Vec<Token<'t>>],
    window: &'p Window,
}

/// What `frontfill explain` shows for one post.
#[derive(Debug)]
pub struct Explanation {
    /// The post.
    pub path: PathBuf,
    /// Per entity field: what it holds now and every candidate.
    pub fields: BTreeMap<Field, FieldExplanation>,
    /// The tag, category and area suggestions with their evidence, when a topic model is loaded.
    pub topics: Option<TopicSuggestion>,
}

/// One field of an [`Explanation`].
#[derive(Debug)]
pub struct FieldExplanation {
    /// The values the post's front matter holds now.
    pub current: Vec<String>,
    /// Every candidate, written ones first, each group by (score desc, name asc).
    pub candidates: Vec<Candidate>,
}

/// A post filled in memory.
#[derive(Debug)]
pub struct Filled {
    /// The post as read.
    pub original: String,
    /// The new post, when anything changes.
    pub text: Option<String>,
    /// The edits.
    pub plan: Plan,
    /// What happened.
    pub status: Status,
    /// The post's main language, when analysed and either the summary's language followed it or
    /// the options keep [`Detail::Evidence`].
    pub language: Option<Language>,
    /// The scored candidates of each entity field that was filled, each with the first
    /// [`FILL_EVIDENCE`] of its mentions as evidence (`explain` gives them all), when the
    /// options keep [`Detail::Evidence`].
    pub candidates: BTreeMap<Field, Vec<Candidate>>,
    /// The tag, category and area suggestions, when any of those fields was filled and the
    /// options keep [`Detail::Evidence`].
    pub topics: Option<TopicSuggestion>,
}

impl Filled {
    fn unchanged(original: String, status: Status, language: Option<Language>) -> Self {
        Self {
            original,
            text: None,
            plan: Plan::default(),
            status,
            language,
            candidates: BTreeMap::new(),
            topics: None,
        }
    }
}
