// The translations are compiled in by rust-i18n's macro; rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=keymaps");
}
