//! Quotes checked against an archived source text: where the text has the quote, or the closest
//! passage of the text and the first word in which the quote differs from it.
//!
//! What counts as the same text is what SPEC.md says ("Quotes checked against the source"): each run
//! of Unicode white space (space, tab, line end, no-break space, ...) counts as one space, in the quote
//! and in the text, and white space around the quote is ignored. Nothing else is normalized: `’` is not
//! `'`, `“` is not `"`, `–` is not `-`, and case matters. A quote is evidence: a curator who retyped a
//! sentence with straight quotes, or "corrected" its spelling, no longer quotes the source, and the
//! check must say so rather than forgive it. White space alone is forgiven because it is how the text
//! was laid out (line breaks, indentation), not what it says.
//!
//! A quote sits on the bounds of words: it may begin after punctuation (`We` in `“We`) and end before
//! it (`program` in `program.`), but never inside a word, between two letters, digits or combining
//! marks: `waveringly` is not in `unwaveringly`, and `cafe` is not in a `café` whose accent is a
//! combining mark. Scripts written without spaces between words (Chinese, Japanese, Thai, ...) have
//! no such bounds: a quote of them may begin and end at any of their characters.
//!
//! Cost: preparing a text is one pass over it; checking a quote is linear in the text and the quote,
//! however alike they are. The exact search is one pass of an Aho-Corasick automaton of the quote
//! over the text, which yields every occurrence, overlapping ones too, so the first one on word
//! bounds is found even where an earlier one inside a word overlaps it. A quote that is not there is placed by word votes: one pass over the text's words, each
//! looked up once among the quote's words, votes for where the quote would start; the few starts with
//! the most votes are then aligned word by word with the quote inside a band of `DRIFT` words either
//! side, which costs the quote's length times a constant, not the text's.

use crate::diagnostic::Position;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

/// Insertions and deletions, in words, that an alignment follows away from the start the votes chose.
const DRIFT: usize = 8;
/// Starts of the text that are aligned with the quote in full: the ones with the most votes.
const CANDIDATES: usize = 4;
/// Occurrences of one word in the quote that vote: a quote of the same word many times still costs a
/// bounded number of votes per word of the text.
const VOTES_PER_WORD: usize = 8;
/// Words of the text shown either side of the passage that matches the quote.
const CONTEXT_WORDS: usize = 5;
/// Most characters of a passage as shown (besides the `…` where it is cut).
const PASSAGE_CHARS: usize = 300;
/// Characters shown before the first difference when a passage is too long to show whole.
const BEFORE_DIFFERENCE: usize = 100;
/// Most characters of one word in a message (a "word" of an archive can be a whole minified file).
const WORD_CHARS: usize = 40;

/// One archived text, prepared once for all the quotes checked against it: its white space collapsed,
/// cut into words, each word knowing where it starts in the original text.
#[derive(Debug, Clone)]
pub struct ArchivedText {
    /// The text with each run of white space made one space, and none at either end.
    text: String,
    /// Every word of `text` (a run of characters other than white space), in order.
    words: Vec<Word>,
}

/// A word of an archived text.
#[derive(Debug, Clone, Copy)]
struct Word {
    /// Byte offset in the collapsed text.
    start: usize,
    /// The word's `word_hash`, compared before the word itself.
    hash: u64,
    /// Where the word starts in the original text.
    at: Position,
}

/// Where a quote is in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// Where its first character is in the original text (line and column from 1, columns in characters).
    pub start: Position,
}

/// Why a quote is not in the text, and what of the text comes closest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotFound {
    /// The quote is empty, or white space only: there is nothing to look for.
    Empty,
    /// A passage of the text has at least half of the quote's words in order, but not all of it.
    Differs(Passage),
    /// No passage of the text has half of the quote's words in order.
    Absent {
        /// Words of the quote.
        words: usize,
        /// Most words of the quote, in order, that any passage looked at has.
        shared: usize,
    },
}

/// The passage of a text that comes closest to a quote, and the first difference between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// The passage as shown: white space collapsed, a few words of context either side, at most
    /// `PASSAGE_CHARS` characters with `…` where it was cut, control characters as `�`.
    pub text: String,
    /// Where the text's words aligned with the quote start in the original text.
    pub start: Position,
    /// The first difference, reading the quote and the passage from the start.
    pub difference: Difference,
    /// Where the first difference is in the original text.
    pub difference_at: Position,
}

/// The first difference between a quote and the passage closest to it. Words are as written, with
/// their punctuation, cut to `WORD_CHARS` characters and control characters shown as `�`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// The quote has one word where the text has another.
    Replaced {
        /// The quote's word.
        quote: String,
        /// The text's word in its place.
        text: String,
    },
    /// The quote has a word that the text does not have.
    Missing {
        /// The quote's word.
        quote: String,
        /// The word before it, which the text has too; none when the quote's first word is missing.
        after: Option<String>,
    },
    /// The text has a word that the quote does not have.
    Extra {
        /// The text's word.
        text: String,
        /// The quote's word before it, which the text has too; none before the quote's first word.
        after: Option<String>,
        /// The quote's word after it.
        before: String,
    },
    /// The text ends where the quote goes on.
    TextEnds {
        /// The last word the two share.
        after: String,
        /// The quote's next word.
        quote: String,
    },
}

/// Work done to check one quote, counted for the tests that prove the cost linear.
#[derive(Debug, Default, Clone, Copy)]
struct Work {
    /// Bytes of text given to the exact search (which is linear in them).
    scanned: usize,
    /// Words of the text looked up among the quote's words.
    probes: usize,
    /// Votes cast for a start of the quote.
    votes: usize,
    /// Starts of the quote weighed while choosing the candidates.
    starts: usize,
    /// Cells of the word alignments.
    cells: usize,
}

impl Work {
    /// All the steps counted.
    #[cfg(test)]
    fn total(self) -> usize {
        self.scanned + self.probes + self.votes + self.starts + self.cells
    }
}

impl ArchivedText {
    /// Prepares `original` (an archived text) for checking quotes, in one pass over it.
    pub fn new(original: &str) -> ArchivedText {
        let mut text = String::with_capacity(original.len());
        let mut words: Vec<Word> = Vec::new();
        let (mut line, mut column) = (1u32, 1u32);
        let mut in_word = false;
        for c in original.chars() {
            if c.is_whitespace() {
                if in_word {
                    close_word(&text, &mut words);
                    in_word = false;
                }
            } else {
                if !in_word {
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    let at = Position { line, column };
                    words.push(Word {
                        start: text.len(),
                        hash: 0,
                        at,
                    });
                    in_word = true;
                }
                text.push(c);
            }
            // Lines end at `\n`, as everywhere in the tool (a `\r` before it is white space).
            if c == '\n' {
                line = line.saturating_add(1);
                column = 1;
            } else {
                column = column.saturating_add(1);
            }
        }
        if in_word {
            close_word(&text, &mut words);
        }
        ArchivedText { text, words }
    }

    /// Where the text has `quote` first (white space aside, see the module's doc), or why it has not,
    /// with the closest passage.
    pub fn find(&self, quote: &str) -> Result<Found, NotFound> {
        self.find_counting(quote, &mut Work::default())
    }

    /// `find`, counting the work done.
    fn find_counting(&self, quote: &str, work: &mut Work) -> Result<Found, NotFound> {
        let quote = collapse_white_space(quote);
        if quote.is_empty() {
            return Err(NotFound::Empty);
        }
        work.scanned += self.text.len();
        // A quote is at most a cell of text (`E0217`): far below what an automaton can hold.
        // A contiguous NFA, not the DFA the crate picks for one pattern: building a DFA of a
        // repetitive quote (`ha` 16,000 times) takes time quadratic in the quote; this is linear.
        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build([quote.as_str()]);
        let found = automaton.ok().and_then(|automaton| {
            automaton
                .find_overlapping_iter(&self.text)
                .map(|found| found.start())
                .find(|&at| sits(&self.text, at, &quote))
        });
        match found {
            Some(at) => Ok(Found {
                start: self.position(at),
            }),
            None => Err(self.closest(&quote, work)),
        }
    }

    /// The position in the original text of byte `at` of the collapsed text, which is not a space.
    fn position(&self, at: usize) -> Position {
        let index = self.words.partition_point(|word| word.start <= at).saturating_sub(1);
        match self.words.get(index) {
            Some(word) => {
                let within = self.text.get(word.start..at).map_or(0, |s| s.chars().count());
                Position {
                    line: word.at.line,
                    column: word.at.column.saturating_add(u32::try_from(within).unwrap_or(u32::MAX)),
                }
            }
            None => Position::START,
        }
    }

    /// Word `index` of the text.
    fn word(&self, index: usize) -> &str {
        let start = self.words[index].start;
        let end = self.words.get(index + 1).map_or(self.text.len(), |next| next.start - 1);
        &self.text[start..end]
    }

    /// The passage closest to `quote` (collapsed, not empty, not in the text), or that there is none.
    fn closest(&self, quote: &str, work: &mut Work) -> NotFound {
        let quote = QuoteWords::new(quote);
        let starts = self.candidates(&quote, work);
        // The fewest edits win; then the most words in common; then the earliest passage.
        let best = starts
            .into_iter()
            .map(|start| self.align(&quote, start, work))
            .min_by_key(|alignment| {
                (
                    alignment.edits,
                    std::cmp::Reverse(alignment.matches),
                    alignment.first_word,
                )
            });
        let words = quote.words.len();
        let Some(best) = best.filter(|alignment| 2 * alignment.matches >= words) else {
            return NotFound::Absent {
                words,
                shared: best.map_or(0, |alignment| alignment.matches),
            };
        };
        // An alignment without a difference would be the quote itself, which the exact search found.
        let Some(step) = best.difference else {
            return NotFound::Absent {
                words,
                shared: best.matches,
            };
        };
        let (difference, focus) = self.describe(&quote, step);
        NotFound::Differs(Passage {
            text: self.excerpt(best.first_word, best.end_word, focus),
            start: self.words[best.first_word].at,
            difference,
            difference_at: self.words[focus].at,
        })
    }

    /// The starts (index of the text's word where the quote's first word would be; negative when the
    /// quote would begin before the text) with the most votes, at most `CANDIDATES` of them, at least
    /// 2 × `DRIFT` words apart, in the order of the text. Each word of the text votes, for each place it
    /// has in the quote, for the start that puts it there.
    fn candidates(&self, quote: &QuoteWords, work: &mut Work) -> Vec<isize> {
        let count = quote.words.len();
        let mut places: HashMap<u64, Vec<usize>, BuildHasherDefault<Prehashed>> = HashMap::default();
        for (index, hash) in quote.hashes.iter().enumerate() {
            let indexes = places.entry(*hash).or_default();
            if indexes.len() < VOTES_PER_WORD {
                indexes.push(index);
            }
        }
        // votes[j + count - 1 - i]: the votes for the start that puts quote word i at text word j.
        let mut votes = vec![0u32; self.words.len() + count - 1];
        for (position, word) in self.words.iter().enumerate() {
            work.probes += 1;
            if let Some(indexes) = places.get(&word.hash) {
                for index in indexes {
                    votes[position + count - 1 - index] += 1;
                    work.votes += 1;
                }
            }
        }
        // (votes, slot), the earliest kept on ties.
        let mut best: Vec<(u32, usize)> = Vec::with_capacity(CANDIDATES);
        for (slot, &tally) in votes.iter().enumerate() {
            work.starts += 1;
            if tally == 0 {
                continue;
            }
            // Starts close together are one passage (an insertion splits its votes): keep the stronger.
            if let Some(near) = best.iter_mut().find(|(_, earlier)| slot - *earlier <= 2 * DRIFT) {
                if tally > near.0 {
                    *near = (tally, slot);
                }
                continue;
            }
            if best.len() < CANDIDATES {
                best.push((tally, slot));
            } else if let Some(weakest) = best
                .iter_mut()
                .min_by_key(|(votes, slot)| (*votes, std::cmp::Reverse(*slot)))
                && tally > weakest.0
            {
                *weakest = (tally, slot);
            }
        }
        let mut slots: Vec<usize> = best.into_iter().map(|(_, slot)| slot).collect();
        slots.sort_unstable();
        slots
            .into_iter()
            .map(|slot| slot as isize - (count as isize - 1))
            .collect()
    }

    /// What it costs to put quote word `index` at text word `position`: nothing if they match (the
    /// quote's first word may be the end of a text word and its last word the start of one, on the
    /// bounds of words, as in the exact search); one edit if they are alike (`alike`), a misspelling or a changed character; two if they
    /// are not, as much as a word missing and a word extra, so that a quote with a word the text
    /// lacks at its start is not read as that word replacing the text's previous one.
    fn cost(&self, quote: &QuoteWords, index: usize, position: usize) -> u32 {
        let word = self.word(position);
        let wanted = quote.words[index];
        let last = quote.words.len() - 1;
        let matched = match (index == 0, index == last) {
            (true, true) => word.match_indices(wanted).any(|(at, _)| sits(word, at, wanted)),
            (true, false) => word.ends_with(wanted) && sits(word, word.len() - wanted.len(), wanted),
            (false, true) => word.starts_with(wanted) && sits(word, 0, wanted),
            (false, false) => quote.hashes[index] == self.words[position].hash && word == wanted,
        };
        if matched {
            0
        } else if alike(wanted, word) {
            1
        } else {
            2
        }
    }

    /// The word alignment of the whole quote with the text near `start`, with the fewest edits
    /// (a word replaced, missing or extra); words of the text before and after it are free. Quote word
    /// i may meet text word j only for j - i within `DRIFT` of `start`: the cost is the quote's length
    /// times 2 × `DRIFT` + 1 cells. Places before the text's first word and after its last are words
    /// that match nothing, so that a quote reaching past either end of the text still aligns.
    fn align(&self, quote: &QuoteWords, start: isize, work: &mut Work) -> Alignment {
        const WIDTH: usize = 2 * DRIFT + 1;
        const FAR: u32 = u32::MAX / 2;
        let count = quote.words.len();
        let low = start - DRIFT as isize;
        // The place (text word, or beyond either end) of band cell `cell` of row `index`.
        let place = |index: usize, cell: usize| index as isize + low + cell as isize;
        // What putting quote word `index` at `place` costs; beyond the text, as much as a missing word.
        let cost = |index: usize, place: isize| match usize::try_from(place) {
            Ok(j) if j < self.words.len() => self.cost(quote, index, j),
            _ => 1,
        };
        // edits[i * WIDTH + cell]: the fewest edits that align quote words i.. with the text from the
        // cell's place on. A suffix of the quote, so that reading the path forward puts every
        // difference as late as an optimal alignment allows, and the first one reported is real.
        let mut edits = vec![FAR; (count + 1) * WIDTH];
        edits[count * WIDTH..].fill(0);
        for index in (0..count).rev() {
            for cell in (0..WIDTH).rev() {
                work.cells += 1;
                let row = index * WIDTH;
                let next = row + WIDTH;
                let mut best = edits[next + cell] + cost(index, place(index, cell));
                if cell > 0 {
                    best = best.min(edits[next + cell - 1] + 1);
                }
                if cell + 1 < WIDTH {
                    best = best.min(edits[row + cell + 1] + 1);
                }
                edits[row + cell] = best;
            }
        }
        // The earliest place with the fewest edits: a replaced first word rather than a missing one.
        let mut cell = (0..WIDTH).min_by_key(|cell| (edits[*cell], *cell)).unwrap_or(0);
        let first = place(0, cell);
        let mut alignment = Alignment {
            edits: edits[cell],
            matches: 0,
            first_word: self.clamped(first),
            end_word: 0,
            difference: None,
        };
        let mut index = 0;
        while index < count {
            let row = index * WIDTH;
            let next = row + WIDTH;
            let here = edits[row + cell];
            let j = place(index, cell);
            let step = cost(index, j);
            if here == edits[next + cell] + step {
                if step > 0 {
                    alignment.difference.get_or_insert(Step::Replaced { index, j });
                } else {
                    alignment.matches += 1;
                }
                index += 1;
            } else if cell > 0 && here == edits[next + cell - 1] + 1 {
                alignment.difference.get_or_insert(Step::Missing { index, j });
                index += 1;
                cell -= 1;
            } else if cell + 1 < WIDTH {
                alignment.difference.get_or_insert(Step::Extra { index, j });
                cell += 1;
            } else {
                // Every cell is one of the three above; this is never reached.
                break;
            }
        }
        let end = place(index, cell);
        alignment.end_word = usize::try_from(end)
            .unwrap_or(0)
            .clamp(alignment.first_word + 1, self.words.len().max(1));
        alignment
    }

    /// The text word nearest to `place`, which may be before the first or after the last.
    fn clamped(&self, place: isize) -> usize {
        usize::try_from(place)
            .unwrap_or(0)
            .min(self.words.len().saturating_sub(1))
    }

    /// The first difference in words, and the text word where it is.
    fn describe(&self, quote: &QuoteWords, step: Step) -> (Difference, usize) {
        let previous = |index: usize| index.checked_sub(1).map(|i| shown(quote.words[i]));
        let (index, place) = match step {
            Step::Replaced { index, j } | Step::Missing { index, j } | Step::Extra { index, j } => (index, j),
        };
        let focus = self.clamped(place);
        let inside = usize::try_from(place).is_ok_and(|j| j < self.words.len());
        let word = shown(quote.words[index]);
        let difference = match (step, previous(index)) {
            // Past the end of the text: the words before matched up to its last word.
            (_, Some(after)) if !inside && place >= 0 => Difference::TextEnds { after, quote: word },
            (_, after) if !inside => Difference::Missing { quote: word, after },
            (Step::Replaced { .. }, _) => Difference::Replaced {
                quote: word,
                text: shown(self.word(focus)),
            },
            (Step::Missing { .. }, after) => Difference::Missing { quote: word, after },
            (Step::Extra { .. }, after) => Difference::Extra {
                text: shown(self.word(focus)),
                after,
                before: word,
            },
        };
        (difference, focus)
    }

    /// The passage of words `first..end`, with `CONTEXT_WORDS` words either side, as shown: whole if
    /// it fits in `PASSAGE_CHARS` characters, else cut around word `focus` (the first difference).
    fn excerpt(&self, first: usize, end: usize, focus: usize) -> String {
        let from = first.saturating_sub(CONTEXT_WORDS);
        let to = (end + CONTEXT_WORDS).min(self.words.len()).max(from + 1);
        let focus = focus.clamp(from, to - 1);
        let start = self.words[from].start;
        let middle = self.words[focus].start;
        let stop = self.words.get(to).map_or(self.text.len(), |next| next.start - 1);
        let (mut left, mut right) = (&self.text[start..middle], &self.text[middle..stop]);
        let (mut cut_left, mut cut_right) = (from > 0, to < self.words.len());
        let right_chars = right.chars().count();
        let left_budget = BEFORE_DIFFERENCE.max(PASSAGE_CHARS.saturating_sub(right_chars));
        if let Some((at, _)) = left.char_indices().rev().nth(left_budget) {
            // `at` is the character before the last `left_budget`: keep from the first word that begins
            // after it, or cut inside a word longer than the budget.
            let kept = &left[at..];
            left = match kept.split_once(' ') {
                Some((_, rest)) if !rest.is_empty() => rest,
                _ => &kept[kept.chars().next().map_or(0, char::len_utf8)..],
            };
            cut_left = true;
        }
        let right_budget = PASSAGE_CHARS - left.chars().count().min(PASSAGE_CHARS);
        if let Some((at, _)) = right.char_indices().nth(right_budget) {
            // Keep the first `right_budget` characters, up to the last word that ends in them, or cut
            // inside a word longer than the budget.
            let kept = &right[..at];
            right = match kept.rsplit_once(' ') {
                Some((whole, _)) if !whole.is_empty() && !right[at..].starts_with(' ') => whole,
                _ => kept,
            };
            cut_right = true;
        }
        let mut shown = String::with_capacity(left.len() + right.len() + 6);
        if cut_left {
            shown.push('…');
        }
        shown.extend(left.chars().chain(right.chars()).map(printable));
        if cut_right {
            shown.push('…');
        }
        shown
    }
}

/// Records the hash of the word that ends the collapsed text.
fn close_word(text: &str, words: &mut [Word]) {
    if let Some(word) = words.last_mut() {
        word.hash = word_hash(&text[word.start..]);
    }
}

/// `text` with each run of white space made one space, and none at either end.
fn collapse_white_space(text: &str) -> String {
    let mut collapsed = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed
}

/// The words of a collapsed quote, with their hashes.
struct QuoteWords<'a> {
    /// The words, in order.
    words: Vec<&'a str>,
    /// `word_hash` of each word.
    hashes: Vec<u64>,
}

impl<'a> QuoteWords<'a> {
    /// Cuts `quote` (collapsed, not empty) into words.
    fn new(quote: &'a str) -> QuoteWords<'a> {
        let words: Vec<&str> = quote.split(' ').collect();
        let hashes = words.iter().map(|word| word_hash(word)).collect();
        QuoteWords { words, hashes }
    }
}

/// A word alignment of the quote with the text.
#[derive(Debug, Clone, Copy)]
struct Alignment {
    /// Edits, weighted as `ArchivedText::cost` says: words replaced, missing or extra.
    edits: u32,
    /// Quote words that meet the same word of the text.
    matches: usize,
    /// The text word that meets the quote's first word.
    first_word: usize,
    /// The text word after the last one the quote meets.
    end_word: usize,
    /// The first step that is not a match.
    difference: Option<Step>,
}

/// A step of an alignment that is not a match: quote word `index` and the text at place `j` (a word
/// index; negative before the text, past its last word after it).
#[derive(Debug, Clone, Copy)]
enum Step {
    /// The quote's word where the text has another.
    Replaced { index: usize, j: isize },
    /// The quote's word, not in the text (before place `j`).
    Missing { index: usize, j: isize },
    /// The text's word at `j`, not in the quote (before quote word `index`).
    Extra { index: usize, j: isize },
}

/// A well-mixed 64-bit hash of a word (FNV-1a, then MurmurHash3's finalizer): the same for the same
/// word in the text and in the quote, so words are compared by number before they are compared whole.
fn word_hash(word: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in word.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^ (hash >> 33)
}

/// A hasher for keys that are already `word_hash`es: hashing them again would only cost time.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// Whether `part`, found in `text` at byte `at`, sits on the bounds of words (`bound`) at both ends.
fn sits(text: &str, at: usize, part: &str) -> bool {
    bound(text, at) && bound(text, at + part.len())
}

/// Whether byte `at` of `text` is a bound of words, where a quote may begin or end: not between two
/// characters of a word (`in_word`), nor beside an apostrophe or a point within a word (`can't`,
/// `e.g`), nor beside the separator within a number (`1,000`, `3.5`), as Unicode's word
/// boundaries (UAX #29) have it.
fn bound(text: &str, at: usize) -> bool {
    let mut before = text[..at].chars().rev();
    let mut after = text[at..].chars();
    let (b1, b2) = (before.next(), before.next());
    let (a1, a2) = (after.next(), after.next());
    let word = |c: Option<char>| c.is_some_and(in_word);
    let letter = |c: Option<char>| c.is_some_and(|c| in_word(c) && !c.is_numeric());
    let digit = |c: Option<char>| c.is_some_and(char::is_numeric);
    let within_word = |c: Option<char>| matches!(c, Some('\'' | '’' | '.' | '·' | '\u{2027}'));
    let within_number = |c: Option<char>| matches!(c, Some(',' | '.' | '\'' | '’' | ';' | '\u{066C}' | '\u{2009}'));
    let inside = (word(b1) && word(a1))
        || (within_word(b1) && letter(b2) && letter(a1))
        || (letter(b1) && within_word(a1) && letter(a2))
        || (within_number(b1) && digit(b2) && digit(a1))
        || (digit(b1) && within_number(a1) && digit(a2));
    !inside
}

/// Whether `c` is part of a word: a letter, a digit, or a combining mark (an accent written after
/// its letter), of a script that separates its words. Chinese, Japanese, Thai and the other scripts
/// written without spaces between words have no word bounds to keep: a quote of them may begin and
/// end at any of their characters, as it always could.
fn in_word(c: char) -> bool {
    use unicode_script::{Script, UnicodeScript};
    let unspaced = matches!(
        c.script(),
        Script::Han
            | Script::Hiragana
            | Script::Katakana
            | Script::Bopomofo
            | Script::Yi
            | Script::Thai
            | Script::Lao
            | Script::Khmer
            | Script::Myanmar
            | Script::Tibetan
            | Script::Tai_Tham
            | Script::Tai_Le
            | Script::New_Tai_Lue
            | Script::Balinese
            | Script::Javanese
    );
    !unspaced && (c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c))
}

/// A character as printed: control characters (which white space collapsing has not removed) as `�`.
fn printable(c: char) -> char {
    if c.is_control() { '\u{fffd}' } else { c }
}

/// A word as printed in a message: printable, cut to `WORD_CHARS` characters with `…`.
fn shown(word: &str) -> String {
    let mut text: String = word.chars().take(WORD_CHARS).map(printable).collect();
    if word.chars().nth(WORD_CHARS).is_some() {
        text.push('…');
    }
    text
}

/// Whether two different words are alike: what they have in common at the start and at the end is
/// at least half of the longer one (in bytes), as in `defence` and `defense`, or `Amazon's` and
/// `Amazon’s`. Linear in the shorter word.
fn alike(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let shorter = a.len().min(b.len());
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    2 * (head + tail).min(shorter) >= a.len().max(b.len())
}

/// When two words differ in one character only, and it is not a letter or digit (a straight `'` for a
/// typographic `’`, a `-` for a `–`), the two characters named with their code points: they can look
/// alike.
fn look_alike(quote: &str, text: &str) -> Option<(char, char)> {
    if quote.chars().count() != text.chars().count() {
        return None;
    }
    let mut differing = quote.chars().zip(text.chars()).filter(|(a, b)| a != b);
    let (a, b) = differing.next()?;
    (differing.next().is_none() && !(a.is_alphanumeric() && b.is_alphanumeric())).then_some((a, b))
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Replaced { quote, text } => {
                write!(f, "the quote has `{quote}` where the text has `{text}`")?;
                if let Some((a, b)) = look_alike(quote, text) {
                    let (a, b) = (printable(a), printable(b));
                    write!(f, " (`{a}` U+{:04X}, not `{b}` U+{:04X})", u32::from(a), u32::from(b))?;
                }
                Ok(())
            }
            Difference::Missing {
                quote,
                after: Some(after),
            } => {
                write!(
                    f,
                    "the quote has `{quote}` after `{after}`, which the text does not have"
                )
            }
            Difference::Missing { quote, after: None } => {
                write!(f, "the quote begins with `{quote}`, which the text does not have")
            }
            Difference::Extra {
                text,
                after: Some(after),
                ..
            } => write!(
                f,
                "the text has `{text}` after `{after}`, which the quote does not have"
            ),
            Difference::Extra {
                text,
                after: None,
                before,
            } => {
                write!(
                    f,
                    "the text has `{text}` before `{before}`, which the quote does not have"
                )
            }
            Difference::TextEnds { after, quote } => {
                write!(
                    f,
                    "the text ends after `{after}`, where the quote goes on with `{quote}`"
                )
            }
        }
    }
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotFound::Empty => write!(f, "the quote is empty: there is nothing to look for"),
            NotFound::Differs(passage) => write!(
                f,
                "{}, at line {}, column {} of the text: {}",
                passage.difference, passage.difference_at.line, passage.difference_at.column, passage.text
            ),
            NotFound::Absent { words: 1, .. } => write!(f, "the text does not have the quote anywhere"),
            NotFound::Absent { words, shared } => write!(
                f,
                "no passage of the text has even half of the quote's {words} words in order (the closest has {shared})"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line 5 of the archived Amazon profile of 2019-01-07 (`amazon-profile-2019-01-07.txt`), with
    /// its typographic quotes and apostrophes, after a heading line.
    const CARLSON: &str = "Law enforcement\n\nIn response to mounting public, investor and employee pressures to end its \
        relationships with law enforcement agencies and ICE, Amazon’s Teresa Carlson, the vice president of the \
        worldwide public sector of AWS, stated in August 2018 that the company was “unwaveringly in support of our \
        law enforcement, defense, and intelligence community” even if it does not “know everything they’re \
        actually utilizing the tool for.”\n";

    fn position(line: u32, column: u32) -> Position {
        Position { line, column }
    }

    fn not_found(text: &str, quote: &str) -> String {
        match ArchivedText::new(text).find(quote) {
            Ok(found) => panic!("{quote:?} was found at {:?}", found.start),
            Err(why) => why.to_string(),
        }
    }

    #[test]
    fn a_quote_is_found_across_a_line_break_of_the_text() {
        let text = "the company was “unwaveringly in\n  support of our law enforcement”";
        let found = ArchivedText::new(text).find("“unwaveringly in support of our");
        assert_eq!(found, Ok(Found { start: position(1, 17) }));
    }

    #[test]
    fn white_space_runs_of_any_kind_count_as_one_space() {
        let text = "our law\t enforcement,\r\n\r\n  defense, and\u{a0}\u{2003}intelligence community";
        let archived = ArchivedText::new(text);
        let quote = "\n  law enforcement,\u{a0}defense,   and intelligence\tcommunity \n";
        assert_eq!(archived.find(quote), Ok(Found { start: position(1, 5) }));
        assert_eq!(
            archived.find("defense, and intelligence"),
            Ok(Found { start: position(3, 3) })
        );
    }

    #[test]
    fn a_quote_begins_and_ends_at_punctuation_but_never_inside_a_word() {
        let archived = ArchivedText::new(CARLSON);
        let found = archived.find("unwaveringly in support of our law enforcement");
        assert_eq!(
            found,
            Ok(Found {
                start: position(3, 256)
            })
        );
        assert_eq!(
            not_found(CARLSON, "waveringly in support of our law enforcement"),
            "the quote has `waveringly` where the text has `“unwaveringly`, at line 3, column 255 of the text: \
             …2018 that the company was “unwaveringly in support of our law enforcement, defense, and \
             intelligence community” even…"
        );
        assert_eq!(
            not_found(CARLSON, "unwaveringly in support of our law enforce"),
            "the quote has `enforce` where the text has `enforcement,`, at line 3, column 291 of the text: \
             …2018 that the company was “unwaveringly in support of our law enforcement, defense, and \
             intelligence community” even…"
        );
        // A word the text has whole after an occurrence inside a longer word, overlapping it.
        let found = ArchivedText::new("barbar bar, a bar").find("bar");
        assert_eq!(found, Ok(Found { start: position(1, 8) }));
        let found = ArchivedText::new("ababa aba").find("aba");
        assert_eq!(found, Ok(Found { start: position(1, 7) }));
    }

    #[test]
    fn an_apostrophe_or_a_point_within_a_word_or_a_number_is_no_bound() {
        let text = "we said we can't pitch, paid $1,000,000 as revenue grew 3.5% (e.g. here)";
        let archived = ArchivedText::new(text);
        for inside in [
            "said we can",
            "t pitch",
            "paid $1",
            "000 as",
            "grew 3",
            "5% (e",
            "g. here",
        ] {
            assert!(archived.find(inside).is_err(), "{inside:?} was found");
        }
        for whole in ["said we can't", "paid $1,000,000", "grew 3.5%", "(e.g. here)", "pitch,"] {
            assert!(archived.find(whole).is_ok(), "{whole:?} was not found");
        }
        // A quote may still end at a full stop or a comma after a word.
        let archived = ArchivedText::new("He said 'no'. Then, 3 days later.");
        assert_eq!(archived.find("He said 'no'"), Ok(Found { start: position(1, 1) }));
        assert_eq!(archived.find("no"), Ok(Found { start: position(1, 10) }));
        assert_eq!(archived.find("Then, 3 days"), Ok(Found { start: position(1, 15) }));
    }

    #[test]
    fn scripts_without_spaces_between_words_have_no_bounds_to_keep() {
        // 「移民・関税執行局の全面的な支援」: any run of its characters is a quote of it.
        let text = "報告書によると「移民・関税執行局を全面的に支援する」と述べた。ภาษาไทยไม่มีช่องว่าง";
        let archived = ArchivedText::new(text);
        assert_eq!(archived.find("関税執行局"), Ok(Found { start: position(1, 12) }));
        assert_eq!(archived.find("全面的に支援"), Ok(Found { start: position(1, 18) }));
        assert_eq!(archived.find("ไม่มี"), Ok(Found { start: position(1, 39) }));
        // Latin letters beside them still keep their bounds.
        let archived = ArchivedText::new("ICE（移民・関税執行局）とAWSの契約");
        assert_eq!(archived.find("AWSの契約"), Ok(Found { start: position(1, 15) }));
        assert!(archived.find("WSの契約").is_err());
    }

    #[test]
    fn an_accent_written_as_a_combining_mark_belongs_to_its_word() {
        let text = "a cafe\u{301} and a cafe";
        // The first `a cafe` goes on with the mark: the one found is the second, at column 13.
        assert_eq!(
            ArchivedText::new(text).find("a cafe"),
            Ok(Found { start: position(1, 13) })
        );
        assert_eq!(
            ArchivedText::new(text).find("cafe\u{301}"),
            Ok(Found { start: position(1, 3) })
        );
        // A quote that begins with the mark begins inside a word: the mark is named as missing.
        assert_eq!(
            not_found(text, "\u{301} and"),
            "the quote begins with `\u{301}`, which the text does not have, at line 1, column 9 of the text: \
             a cafe\u{301} and a cafe"
        );
    }

    #[test]
    fn a_straight_apostrophe_is_not_the_texts_typographic_one() {
        let quote = "Amazon's Teresa Carlson, the vice president of the worldwide public sector of AWS";
        let Err(NotFound::Differs(passage)) = ArchivedText::new(CARLSON).find(quote) else {
            panic!("the quote should differ from a passage");
        };
        assert_eq!(
            passage.difference,
            Difference::Replaced {
                quote: "Amazon's".into(),
                text: "Amazon’s".into()
            }
        );
        assert_eq!(
            (passage.start, passage.difference_at),
            (position(3, 129), position(3, 129))
        );
        assert_eq!(
            passage.text,
            "…law enforcement agencies and ICE, Amazon’s Teresa Carlson, the vice president of the worldwide \
             public sector of AWS, stated in August 2018 that…"
        );
        assert_eq!(
            not_found(CARLSON, quote),
            "the quote has `Amazon's` where the text has `Amazon’s` (`'` U+0027, not `’` U+2019), at line 3, \
             column 129 of the text: …law enforcement agencies and ICE, Amazon’s Teresa Carlson, the vice \
             president of the worldwide public sector of AWS, stated in August 2018 that…"
        );
    }

    #[test]
    fn straight_double_quotes_and_hyphens_are_not_typographic_ones_either() {
        assert_eq!(
            not_found(CARLSON, "the company was \"unwaveringly in support"),
            "the quote has `\"unwaveringly` where the text has `“unwaveringly` (`\"` U+0022, not `“` U+201C), at \
             line 3, column 255 of the text: …stated in August 2018 that the company was “unwaveringly in support \
             of our law enforcement, defense,…"
        );
        assert_eq!(
            not_found("It ran from 2018–2019 in Texas.", "It ran from 2018-2019 in Texas."),
            "the quote has `2018-2019` where the text has `2018–2019` (`-` U+002D, not `–` U+2013), at line 1, \
             column 13 of the text: It ran from 2018–2019 in Texas."
        );
        assert!(
            ArchivedText::new(CARLSON).find("In Response to mounting").is_err(),
            "case matters"
        );
    }

    #[test]
    fn one_word_spelled_otherwise_is_named_with_its_passage() {
        let quote = "“unwaveringly in support of our law enforcement, defence, and intelligence community”";
        assert_eq!(
            not_found(CARLSON, quote),
            "the quote has `defence,` where the text has `defense,`, at line 3, column 304 of the text: …2018 that the \
             company was “unwaveringly in support of our law enforcement, defense, and intelligence community” even \
             if it does not…"
        );
    }

    #[test]
    fn a_word_missing_or_extra_is_named_with_the_word_before_it() {
        assert_eq!(
            not_found(CARLSON, "the company was “unwaveringly in support of law enforcement"),
            "the text has `our` after `of`, which the quote does not have, at line 3, column 283 of the text: \
             …stated in August 2018 that the company was “unwaveringly in support of our law enforcement, defense, \
             and intelligence community” even…"
        );
        assert_eq!(
            not_found(
                CARLSON,
                "the company was “unwaveringly in support of all our law enforcement"
            ),
            "the quote has `all` after `of`, which the text does not have, at line 3, column 283 of the text: \
             …stated in August 2018 that the company was “unwaveringly in support of our law enforcement, defense, \
             and intelligence community” even…"
        );
        assert_eq!(
            not_found(CARLSON, "Said: In response to mounting public, investor"),
            "the quote begins with `Said:`, which the text does not have, at line 3, column 1 of the text: Law \
             enforcement In response to mounting public, investor and employee pressures to end…"
        );
    }

    #[test]
    fn a_quote_longer_than_the_text() {
        let text = "Ring does not yet have facial recognition capabilities.";
        let longer =
            "Ring does not yet have facial recognition capabilities. These statements reverse Amazon’s policy.";
        assert_eq!(
            not_found(text, longer),
            "the text ends after `capabilities.`, where the quote goes on with `These`, at line 1, column 43 of the \
             text: Ring does not yet have facial recognition capabilities."
        );
        assert_eq!(
            ArchivedText::new("facial recognition").find(longer),
            Err(NotFound::Absent { words: 13, shared: 2 })
        );
        assert_eq!(
            not_found("facial recognition", longer),
            "no passage of the text has even half of the quote's 13 words in order (the closest has 2)"
        );
        assert_eq!(
            ArchivedText::new("").find(longer),
            Err(NotFound::Absent { words: 13, shared: 0 })
        );
        assert_eq!(
            ArchivedText::new(" \n\t ").find("x"),
            Err(NotFound::Absent { words: 1, shared: 0 })
        );
        assert_eq!(
            not_found(CARLSON, "defence"),
            "the text does not have the quote anywhere"
        );
    }

    #[test]
    fn a_quote_with_little_in_common_has_no_closest_passage() {
        assert_eq!(
            not_found(CARLSON, "Microsoft said nothing of the kind about its cloud contracts"),
            "no passage of the text has even half of the quote's 10 words in order (the closest has 2)"
        );
        // Two words of four is half: enough to show the passage.
        assert!(not_found(CARLSON, "Amazon's Teresa Carlson, then").starts_with("the quote has `Amazon's`"));
    }

    #[test]
    fn an_empty_quote_is_not_looked_for() {
        let archived = ArchivedText::new(CARLSON);
        assert_eq!(archived.find(""), Err(NotFound::Empty));
        assert_eq!(archived.find(" \n\t\u{a0}"), Err(NotFound::Empty));
        assert_eq!(
            not_found(CARLSON, ""),
            "the quote is empty: there is nothing to look for"
        );
        assert_eq!(ArchivedText::new("").find(""), Err(NotFound::Empty));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let archived = ArchivedText::new("Zürich – “Grüße”\n\tnaïve café, déjà vu");
        assert_eq!(archived.find("“Grüße”"), Ok(Found { start: position(1, 10) }));
        assert_eq!(archived.find("café, déjà"), Ok(Found { start: position(2, 8) }));
        assert_eq!(archived.find("déjà vu"), Ok(Found { start: position(2, 14) }));
        assert_eq!(
            not_found("Zürich – “Grüße”\n\tnaïve café, déjà vu", "naïve cafe, déjà"),
            "the quote has `cafe,` where the text has `café,`, at line 2, column 8 of the text: Zürich – “Grüße” \
             naïve café, déjà vu"
        );
    }

    #[test]
    fn a_quote_found_twice_is_given_at_its_first_place() {
        let text = "law enforcement, defense\nand then: law enforcement, defense";
        let found = ArchivedText::new(text).find("law enforcement, defense");
        assert_eq!(found, Ok(Found { start: position(1, 1) }));
        let found = ArchivedText::new(text).find("enforcement,\ndefense");
        assert_eq!(found, Ok(Found { start: position(1, 5) }));
    }

    #[test]
    fn a_long_passage_is_cut_around_the_difference() {
        let words: Vec<String> = (0..400).map(|n| format!("word{n}")).collect();
        let text = words.join(" ");
        let mut quote = words[100..300].to_vec();
        quote[150] = "wort250".into();
        let Err(NotFound::Differs(passage)) = ArchivedText::new(&text).find(&quote.join(" ")) else {
            panic!("the quote should differ from a passage");
        };
        assert_eq!(
            passage.difference,
            Difference::Replaced {
                quote: "wort250".into(),
                text: "word250".into()
            }
        );
        let shown = passage.text.trim_start_matches('…').trim_end_matches('…');
        assert!(
            passage.text.starts_with("…word") && passage.text.ends_with('…'),
            "{}",
            passage.text
        );
        assert!(shown.chars().count() <= PASSAGE_CHARS, "{}", passage.text);
        assert!(shown.contains(" word249 word250 word251 "), "{}", passage.text);
        // About `BEFORE_DIFFERENCE` characters before the difference, whole words only.
        let before = shown.split(" word250 ").next().map_or(0, |s| s.chars().count());
        assert!(
            (BEFORE_DIFFERENCE - 8..=BEFORE_DIFFERENCE).contains(&before),
            "{}",
            passage.text
        );
    }

    #[test]
    fn words_longer_than_a_passage_are_cut() {
        // Whole words only where there are any; a word longer than the budget is cut.
        let text = format!(
            "{} said “we will not sell it” to {}",
            "a".repeat(5000),
            "b".repeat(5000)
        );
        assert_eq!(
            not_found(&text, "said “we will not sell them” to"),
            "the quote has `them”` where the text has `it”`, at line 1, column 5025 of the text: …said “we will not \
             sell it” to…"
        );
        assert_eq!(
            not_found(&text, &format!("said “we will not sell it” to {}", "c".repeat(100))),
            format!(
                "the quote has `{}…` after `to`, which the text does not have, at line 1, column 5032 of the text: \
                 …said “we will not sell it” to {}…",
                "c".repeat(WORD_CHARS),
                "b".repeat(PASSAGE_CHARS - "said “we will not sell it” to ".chars().count())
            )
        );
    }

    #[test]
    fn control_characters_of_the_text_are_never_printed() {
        let message = not_found("the tool\u{1b}[31m for spying", "the tool for spying");
        assert!(!message.chars().any(char::is_control), "{message}");
        assert!(message.contains("`tool\u{fffd}[31m`"), "{message}");
    }

    /// A text of `words` words of a small vocabulary with the common words of English prose, with the
    /// Carlson passage in the middle.
    fn long_text(words: usize) -> String {
        const COMMON: [&str; 8] = ["the", "of", "and", "in", "our", "support", "law", "to"];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut text = String::with_capacity(words * 8);
        for index in 0..words {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            if index == words / 2 {
                text.push_str(CARLSON);
            }
            match state % 4 {
                0 => text.push_str(COMMON[(state >> 8) as usize % COMMON.len()]),
                _ => text.push_str(&format!("w{}", (state >> 8) % 5000)),
            }
            text.push(if index % 12 == 11 { '\n' } else { ' ' });
        }
        text
    }

    /// The work `find` does for `quote` in `text`, and the text's length in bytes.
    fn work(text: &str, quote: &str) -> (usize, usize) {
        let mut work = Work::default();
        let _ = ArchivedText::new(text).find_counting(quote, &mut work);
        (work.total(), text.len())
    }

    #[test]
    fn the_work_grows_with_the_text_not_faster() {
        let found = "the company was “unwaveringly in support of our law enforcement, defense, and intelligence";
        let differs = "the company was “unwaveringly in support of our law enforcement, defence, and intelligence";
        for quote in [found, differs] {
            let (small, small_length) = work(&long_text(10_000), quote);
            let (large, large_length) = work(&long_text(100_000), quote);
            assert!(large <= 10 * small + 10_000, "{quote}: {small} steps, then {large}");
            assert!(
                large <= 4 * large_length,
                "{quote}: {large} steps for {large_length} bytes"
            );
            assert!(
                small <= 4 * small_length + 10_000,
                "{quote}: {small} steps for {small_length} bytes"
            );
        }
        // Found: the one linear scan, and nothing else.
        let text = long_text(10_000);
        assert_eq!(work(&text, found).0, ArchivedText::new(&text).text.len());
    }

    #[test]
    fn a_quote_of_one_word_many_times_still_costs_linear_work() {
        // Every word of the text is every word of the quote but the last: the most votes there can be.
        let quote = format!("{}b", "a ".repeat(300));
        let (small, small_length) = work(&"a ".repeat(10_000), &quote);
        let (large, large_length) = work(&"a ".repeat(100_000), &quote);
        assert!(large <= 10 * small + 10_000, "{small} steps, then {large}");
        // Per byte of the text: a word of two bytes is probed once, casts 8 votes and is a start.
        let bound = |length: usize| 10 * length + 4 * 301 * 17;
        assert!(small <= bound(small_length), "{small} steps for {small_length} bytes");
        assert!(large <= bound(large_length), "{large} steps for {large_length} bytes");
        // The passage: the 300 characters before the difference, as no more follow it in the quote.
        assert_eq!(
            not_found(&"a ".repeat(10_000), &quote),
            format!(
                "the quote has `b` after `a`, which the text does not have, at line 1, column 601 of the text: …{}a…",
                "a ".repeat(149)
            )
        );
    }
}
