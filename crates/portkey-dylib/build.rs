//! Links the shared library with `-Bsymbolic`: its references to its own symbols bind
//! inside it when it is built, not by name when the binary starts, which otherwise costs
//! the dynamic loader tens of millions of instructions on every run (README, "The edit
//! loop"). Nothing outside the library overrides its symbols.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux") {
        println!("cargo::rustc-link-arg=-Wl,-Bsymbolic");
    }
}
