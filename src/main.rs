#![forbid(unsafe_code)]

fn main() {
    std::process::exit(beian::cli::main());
}
