//! Lexical path arithmetic shared by the driver and the passes, so both agree on the name of
//! an imported file without the passes touching the file system.

/// Resolves `relative` against the folder of `base_file`, normalising `.` and `..` lexically.
/// Paths use forward slashes.
pub fn resolve(base_file: &str, relative: &str) -> String {
    if relative.starts_with('/') {
        return normalise(relative);
    }
    let dir = match base_file.rfind('/') {
        Some(i) => &base_file[..i],
        None => "",
    };
    if dir.is_empty() {
        normalise(relative)
    } else {
        normalise(&format!("{dir}/{relative}"))
    }
}

/// Removes `.` components and folds `name/..` pairs; leading `..` components are kept.
pub fn normalise(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// The reason given for a path that does not exist.
pub(crate) const NOT_FOUND: &str = "no such file or folder";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_to_the_importing_file() {
        assert_eq!(
            resolve(
                "policies/some-regulation/header.edict",
                "../vocabulary/face.edict"
            ),
            "policies/vocabulary/face.edict"
        );
        assert_eq!(resolve("a.edict", "b.txt"), "b.txt");
        assert_eq!(resolve("./x/a.edict", "./b.txt"), "x/b.txt");
        assert_eq!(resolve("a.edict", "../b.txt"), "../b.txt");
        assert_eq!(resolve("/r/p/a.edict", "../../../b"), "/b");
    }
}
