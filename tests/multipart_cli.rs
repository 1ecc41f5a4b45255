//! `healthcode publish` cuts a long list into QR images whose scanned texts join back into
//! the list, in any order (`healthcode::multipart`).

use healthcode::multipart::{Assembler, Progress};
use std::process::Command;

#[test]
fn a_long_list_published_as_images_scans_back_whole() {
    let dir = std::env::temp_dir().join(format!(
        "healthcode-cli-test-publish-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let list = format!(
        "HCL1:{}",
        "6BFOXN*TS0BI$ZD-PHQ7I9AD66V5B22CH9M9ESI9XBHXK-%69LQOGI.*V76GCV4*XUA2P-FHT-HNXHM"
            .repeat(30)
    );
    let input = dir.join("list.txt");
    std::fs::write(&input, &list).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_healthcode"))
        .args([
            "publish",
            "--in",
            input.to_str().unwrap(),
            "--out-dir",
            dir.join("qr").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("3 part(s) in {}", dir.join("qr").display())
    );

    let mut assembler = Assembler::default();
    let mut result = None;
    for i in [3, 1, 2] {
        let image = image::open(dir.join("qr").join(format!("part-{i:02}-of-03.png")))
            .unwrap()
            .to_luma8();
        let text =
            healthcode::scan::decode_luma(image.as_raw(), image.width(), image.height()).unwrap();
        result = Some(assembler.add(&text).unwrap());
    }
    assert_eq!(result, Some(Progress::Complete(list)));
    let _ = std::fs::remove_dir_all(&dir);
}
