//! portkey's YAML emitter: serde-saphyr's output, written faster.
//!
//! serde-saphyr decides how every scalar is written. That decision is why portkey uses it:
//! YAML 1.1 look-alikes (`yes`, `on`, `0700`, `1.10`) are quoted, multi-line strings
//! become literal block scalars. Its serializer, though, spent more than half of a large
//! render's CPU, mostly re-checking plain ASCII words character by character.
//!
//! This module writes the block structure itself (maps, compact sequences, `{}`/`[]`,
//! literal blocks) and takes three shortcuts, each a subset of serde-saphyr's own rules:
//!
//! - a single-line string made of printable ASCII that starts with a letter or `/`, has no
//!   `: `, no ` #`, does not end in a space or `:`, and is not one of the words YAML reads
//!   as a boolean, null or number, is written plain;
//! - a key of letters, digits, `.`, `_`, `/` and `-` starting with a letter, not such a
//!   word, is written plain;
//! - a multi-line string that a block scalar can hold is written as one (`|`, `|-`, `|+`,
//!   with the indentation indicator when its first line starts with a space).
//!
//! Every other scalar (numbers-as-strings such as `"1"` or `500m`, floats, quoted or
//! escaped text) is handed to serde-saphyr itself. Shapes portkey does not emit (tuple or
//! struct enum variants, bytes, serde-saphyr's own wrapper types, non-scalar keys) make
//! [`emit`] return [`Unsupported`] so that the caller serializes the whole value with
//! serde-saphyr. The tests compare both emitters byte for byte.

use std::fmt::Write as _;

use serde::ser::{self, Serialize};

/// The serde-saphyr options portkey writes with: no folding of long single-line strings
/// (image references with digests, shell commands stay on one line, as people write them).
pub(crate) fn saphyr_options() -> serde_saphyr::SerializerOptions {
    serde_saphyr::ser_options! {
        folded_wrap_chars: usize::MAX,
    }
}

/// Writes `value` with serde-saphyr alone.
pub(crate) fn saphyr<T: Serialize>(out: &mut String, value: &T) -> std::result::Result<(), String> {
    serde_saphyr::to_fmt_writer_with_options(out, value, saphyr_options())
        .map_err(|e| e.to_string())
}

/// The value has a shape (or raised an error) this emitter leaves to serde-saphyr.
#[derive(Debug)]
pub(crate) struct Unsupported(String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Unsupported(msg.to_string())
    }
}

type Result<T = ()> = std::result::Result<T, Unsupported>;

fn unsupported<T>(what: &str) -> Result<T> {
    Err(Unsupported(format!("{what} is left to serde-saphyr")))
}

/// Appends `value` as a YAML document (no `---`). On `Err`, `out` may hold a partial
/// document: the caller truncates it and uses serde-saphyr.
pub(crate) fn emit<T: Serialize + ?Sized>(out: &mut String, value: &T) -> Result {
    value.serialize(Emitter {
        out,
        pos: Pos::Root,
    })
}

/// Where the next node starts.
#[derive(Clone, Copy)]
enum Pos {
    /// At the start of the document, column 0.
    Root,
    /// Right after `key:`; the key sits at this column.
    Value(usize),
    /// Right after `- `; the dash sits at this column.
    Item(usize),
}

impl Pos {
    /// Column of the entries of a map opened here.
    fn child_column(self) -> usize {
        match self {
            Pos::Root => 0,
            Pos::Value(col) | Pos::Item(col) => col + 2,
        }
    }

    /// Column of the body of a block scalar that starts here: one step in, even at the root.
    fn body_column(self) -> usize {
        self.child_column().max(2)
    }

    /// Column of the dashes of a sequence opened here: under a key the sequence is compact
    /// (dashes at the key's column); in a sequence item it nests two columns in.
    fn dash_column(self) -> usize {
        match self {
            Pos::Root => 0,
            Pos::Value(col) => col,
            Pos::Item(col) => col + 2,
        }
    }
}

fn indent(out: &mut String, col: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = col;
    while left > SPACES.len() {
        out.push_str(SPACES);
        left -= SPACES.len();
    }
    out.push_str(&SPACES[..left]);
}

/// Words YAML 1.1 or 1.2 resolves to a boolean, null or float when written plain.
fn is_reserved_word(s: &str) -> bool {
    s.len() <= 5
        && [
            "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
        ]
        .iter()
        .any(|w| s.eq_ignore_ascii_case(w))
}

/// A single-line string serde-saphyr writes plain in value position (a strict subset of
/// its rule).
fn is_plain_value(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == b'/') || last == b' ' || last == b':' {
        return false;
    }
    let mut prev = first;
    for &c in &b[1..] {
        if !(0x20..=0x7e).contains(&c) || (prev == b':' && c == b' ') || (prev == b' ' && c == b'#')
        {
            return false;
        }
        prev = c;
    }
    !is_reserved_word(s)
}

/// A key serde-saphyr writes plain (a strict subset of its rule).
fn is_plain_key(s: &str) -> bool {
    let b = s.as_bytes();
    b.first().is_some_and(u8::is_ascii_alphabetic)
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'/' | b'-'))
        && !is_reserved_word(s)
}

/// Whether a literal block scalar can hold `s` as it is (serde-saphyr's rule).
fn fits_block(s: &str) -> bool {
    if s.bytes()
        .all(|c| (0x20..=0x7e).contains(&c) || c == b'\n' || c == b'\t')
    {
        return true;
    }
    s.chars().all(|ch| match ch {
        '\n' | '\t' => true,
        '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' => false,
        c => matches!(
            c as u32,
            0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x0010_FFFF
        ),
    })
}

/// Writes a literal block scalar whose body sits at `body`.
fn write_block(out: &mut String, s: &str, body: usize) {
    let content = s.trim_end_matches('\n');
    let trailing = s.len() - content.len();
    out.push('|');
    let first = content.split('\n').find(|l| !l.is_empty()).unwrap_or("");
    if first.starts_with(' ') {
        out.push('2');
    }
    match trailing {
        0 => out.push('-'),
        1 if !content.is_empty() => {}
        _ => out.push('+'),
    }
    out.push('\n');
    if content.is_empty() {
        for _ in 0..trailing {
            out.push('\n');
        }
        return;
    }
    for line in content.split('\n') {
        if !line.is_empty() {
            indent(out, body);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..trailing {
        out.push('\n');
    }
}

/// Appends serde-saphyr's rendering of a lone scalar, without its final newline.
fn delegate_scalar<T: Serialize>(out: &mut String, value: &T) -> Result {
    let start = out.len();
    saphyr(out, value).map_err(Unsupported)?;
    if out.ends_with('\n') && !out[start..out.len() - 1].contains('\n') {
        out.pop();
        Ok(())
    } else {
        unsupported("a scalar serde-saphyr writes over several lines")
    }
}

/// Appends a string key, without the colon.
fn write_key(out: &mut String, key: &str) -> Result {
    if is_plain_key(key) {
        out.push_str(key);
        return Ok(());
    }
    // serde-saphyr's key rule, read off a one-entry map: `<key>: 0\n`.
    let start = out.len();
    saphyr(
        out,
        &[(key, 0u8)]
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
    .map_err(Unsupported)?;
    if out.ends_with(": 0\n") && !out[start..out.len() - 4].contains('\n') {
        out.truncate(out.len() - 4);
        Ok(())
    } else {
        unsupported("a key serde-saphyr writes over several lines")
    }
}

struct Emitter<'a> {
    out: &'a mut String,
    pos: Pos,
}

impl Emitter<'_> {
    /// Starts a scalar: after `key:` it is separated by a space.
    fn start_scalar(&mut self) {
        if let Pos::Value(_) = self.pos {
            self.out.push(' ');
        }
    }

    /// Writes a scalar's text that needs no decision.
    fn scalar(mut self, text: &str) {
        self.start_scalar();
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn delegated<T: Serialize>(mut self, value: &T) -> Result {
        self.start_scalar();
        delegate_scalar(self.out, value)?;
        self.out.push('\n');
        Ok(())
    }

    fn integer(mut self, v: impl std::fmt::Display) -> Result {
        self.start_scalar();
        writeln!(self.out, "{v}").map_err(ser::Error::custom)
    }
}

/// A map, struct or sequence being written.
struct Compound<'a> {
    out: &'a mut String,
    pos: Pos,
    /// Column of the entries (maps) or dashes (sequences).
    col: usize,
    count: usize,
}

impl Compound<'_> {
    /// Positions the cursor for the next entry or item.
    fn next(&mut self) {
        match (self.count, self.pos) {
            // The first entry of a node after `- ` shares the dash's line.
            (0, Pos::Item(_)) => {}
            (0, Pos::Value(_)) => {
                self.out.push('\n');
                indent(self.out, self.col);
            }
            _ => indent(self.out, self.col),
        }
        self.count += 1;
    }

    fn finish(self, empty: &str) {
        if self.count == 0 {
            Emitter {
                out: self.out,
                pos: self.pos,
            }
            .scalar(empty);
        }
    }

    fn entry<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result {
        self.next();
        write_key(self.out, key)?;
        self.out.push(':');
        self.value(value)
    }

    /// Writes an entry's value, after its `key:`.
    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(Emitter {
            out: self.out,
            pos: Pos::Value(self.col),
        })
    }

    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.next();
        self.out.push_str("- ");
        value.serialize(Emitter {
            out: self.out,
            pos: Pos::Item(self.col),
        })
    }
}

impl<'a> Emitter<'a> {
    fn map(self) -> Compound<'a> {
        let col = self.pos.child_column();
        self.compound(col)
    }

    fn seq(self) -> Compound<'a> {
        let col = self.pos.dash_column();
        self.compound(col)
    }

    fn compound(self, col: usize) -> Compound<'a> {
        Compound {
            out: self.out,
            pos: self.pos,
            col,
            count: 0,
        }
    }
}

fn is_saphyr_wrapper(name: &str) -> bool {
    name.starts_with("__yaml") || name.starts_with("__serde_saphyr")
}

/// Integers are written in decimal, as serde-saphyr writes them.
macro_rules! integers {
    ($($method:ident($ty:ty)),*) => {$(
        fn $method(self, v: $ty) -> Result {
            self.integer(v)
        }
    )*};
}

impl<'a> ser::Serializer for Emitter<'a> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = ser::Impossible<(), Unsupported>;
    type SerializeMap = MapCompound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = ser::Impossible<(), Unsupported>;

    fn serialize_bool(self, v: bool) -> Result {
        self.scalar(if v { "true" } else { "false" });
        Ok(())
    }
    integers!(
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128)
    );
    fn serialize_f32(self, v: f32) -> Result {
        self.delegated(&v)
    }
    fn serialize_f64(self, v: f64) -> Result {
        self.delegated(&v)
    }
    fn serialize_char(self, v: char) -> Result {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(mut self, v: &str) -> Result {
        if is_plain_value(v) {
            self.scalar(v);
            return Ok(());
        }
        if v.contains('\n') && fits_block(v) {
            self.start_scalar();
            write_block(self.out, v, self.pos.body_column());
            return Ok(());
        }
        self.delegated(&v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result {
        unsupported("bytes")
    }
    fn serialize_none(self) -> Result {
        self.scalar("null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.scalar("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result {
        self.scalar("null");
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result {
        if is_saphyr_wrapper(name) {
            return unsupported(name);
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        let mut map = self.map();
        map.entry(variant, value)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>> {
        Ok(self.seq())
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>> {
        Ok(self.seq())
    }
    fn serialize_tuple_struct(self, name: &'static str, _: usize) -> Result<Compound<'a>> {
        if is_saphyr_wrapper(name) {
            return unsupported(name);
        }
        Ok(self.seq())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        unsupported("a tuple variant")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapCompound<'a>> {
        Ok(MapCompound(self.map()))
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Compound<'a>> {
        if is_saphyr_wrapper(name) {
            return unsupported(name);
        }
        Ok(self.map())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        unsupported("a struct variant")
    }
}

/// Sequences, tuples and tuple structs are all written as block sequences.
macro_rules! sequence {
    ($($trait:ident::$method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Unsupported;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
                self.item(value)
            }
            fn end(self) -> Result {
                self.finish("[]");
                Ok(())
            }
        }
    )*};
}

sequence!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.entry(key, value)
    }
    fn end(self) -> Result {
        self.finish("{}");
        Ok(())
    }
}

/// A map whose keys arrive through serde: string keys only, others are left to
/// serde-saphyr.
struct MapCompound<'a>(Compound<'a>);

impl ser::SerializeMap for MapCompound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.0.next();
        key.serialize(KeyWriter(self.0.out))?;
        self.0.out.push(':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.0.value(value)
    }
    fn end(self) -> Result {
        self.0.finish("{}");
        Ok(())
    }
}

/// Writes a map key that is a string; anything else is left to serde-saphyr.
struct KeyWriter<'a>(&'a mut String);

macro_rules! key_unsupported {
    ($($name:ident($($arg:ty),*) -> $ret:ty;)*) => {
        $(fn $name(self, $(_: $arg),*) -> Result<$ret> {
            unsupported("a map key that is not a string")
        })*
    };
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = ser::Impossible<(), Unsupported>;
    type SerializeTuple = ser::Impossible<(), Unsupported>;
    type SerializeTupleStruct = ser::Impossible<(), Unsupported>;
    type SerializeTupleVariant = ser::Impossible<(), Unsupported>;
    type SerializeMap = ser::Impossible<(), Unsupported>;
    type SerializeStruct = ser::Impossible<(), Unsupported>;
    type SerializeStructVariant = ser::Impossible<(), Unsupported>;

    fn serialize_str(self, v: &str) -> Result {
        write_key(self.0, v)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result {
        if is_saphyr_wrapper(name) {
            return unsupported(name);
        }
        value.serialize(self)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        write_key(self.0, variant)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }

    key_unsupported! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        unsupported("a map key that is not a string")
    }
}

#[cfg(test)]
mod tests;
