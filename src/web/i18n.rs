//! The app's language: Simplified Chinese or English, following the browser
//! (`navigator.languages`, MDN) until the user picks one, which is then remembered.
//!
//! Every string the app shows comes from `src/web/locales/app.yml` through rust-i18n's
//! `t!`; [`tr!`](crate::tr) adds the current language.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

const LANG_KEY: &str = "healthcode.lang.v1";
const LARGE_TEXT_KEY: &str = "healthcode.large-text.v1";

/// A language the app is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// The locale in `app.yml` and the BCP 47 tag for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The language a BCP 47 tag asks for, if the app has it (`zh`, `zh-CN`, `zh-Hans…` → Chinese).
    fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Lang::Zh)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The other language (for the switch button).
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }

    /// The language's own name, shown on the switch.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "中文",
        }
    }
}

/// The saved choice, else the first of the browser's languages the app has, else English.
fn initial() -> Lang {
    if let Ok(code) = LocalStorage::get::<String>(LANG_KEY) {
        if let Some(lang) = Lang::from_tag(&code) {
            return lang;
        }
    }
    web_sys::window()
        .map(|w| w.navigator().languages())
        .into_iter()
        .flat_map(|langs| langs.iter().collect::<Vec<_>>())
        .filter_map(|l| l.as_string())
        .find_map(|tag| Lang::from_tag(&tag))
        .unwrap_or(Lang::En)
}

fn document_element() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}

/// The user's display settings: language and large text, shared through Leptos context.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The language now shown.
    pub lang: RwSignal<Lang>,
    /// Large-text mode (a bigger base font size).
    pub large_text: RwSignal<bool>,
}

impl Settings {
    /// Reads the saved settings, provides them as context, and keeps `<html lang>` and the
    /// `large-text` class on `<html>` in step with them.
    pub fn provide() -> Settings {
        let settings = Settings {
            lang: RwSignal::new(initial()),
            large_text: RwSignal::new(LocalStorage::get::<bool>(LARGE_TEXT_KEY).unwrap_or(false)),
        };
        Effect::new(move |_| {
            let lang = settings.lang.get();
            if let Some(html) = document_element() {
                let _ = html.set_attribute("lang", lang.code());
            }
        });
        Effect::new(move |_| {
            let large = settings.large_text.get();
            if let Some(html) = document_element() {
                let _ = html.class_list().toggle_with_force("large-text", large);
            }
        });
        provide_context(settings);
        settings
    }

    /// Picks a language and remembers it. Errors: storage refused (the choice still applies
    /// until the page is closed).
    pub fn choose(&self, lang: Lang) -> Result<(), String> {
        self.lang.set(lang);
        LocalStorage::set(LANG_KEY, lang.code()).map_err(|e| e.to_string())
    }

    /// Turns large text on or off and remembers it. Errors as for [`Settings::choose`].
    pub fn set_large_text(&self, on: bool) -> Result<(), String> {
        self.large_text.set(on);
        LocalStorage::set(LARGE_TEXT_KEY, on).map_err(|e| e.to_string())
    }
}

/// The settings provided by [`Settings::provide`] (English, normal text if none were).
pub fn settings() -> Settings {
    use_context::<Settings>().unwrap_or_else(|| Settings {
        lang: RwSignal::new(Lang::En),
        large_text: RwSignal::new(false),
    })
}

/// `tr!(lang, "key", name = value, …)`: the string for `key` in `lang` (a [`Lang`]), with
/// `%{name}` placeholders filled, as a `String`.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $key:literal $(, $name:ident = $value:expr)* $(,)?) => {{
        let locale: &str = $crate::web::i18n::Lang::code($lang);
        rust_i18n::t!($key, locale = locale $(, $name = $value)*).into_owned()
    }};
}
