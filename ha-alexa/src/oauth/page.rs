//! The login page the user sees during linking, and the form fields it posts.
//!
//! A page is a form posted to the authorization endpoint itself (a relative `action` of
//! `authorize` resolves to it) with the fields named by the constants below. It needs no
//! JavaScript, so it works in the web view of the Alexa app.
//!
//! # Examples
//!
//! ```
//! use ha_alexa::oauth::page::{ACTION_FIELD, DENY_ACTION, PASSWORD_FIELD, REQUEST_FIELD, USERNAME_FIELD};
//!
//! let cancel = format!(r#"<button name="{ACTION_FIELD}" value="{DENY_ACTION}">Cancel</button>"#);
//! assert_eq!(cancel, r#"<button name="action" value="deny">Cancel</button>"#);
//! assert_eq!([REQUEST_FIELD, USERNAME_FIELD, PASSWORD_FIELD], ["request", "username", "password"]);
//! ```

use core::fmt::Write as _;

use super::authorize::LoginPrompt;
use super::error::OAuthError;

/// The hidden field carrying [`LoginPrompt::sealed_request`].
///
/// # Examples
///
/// ```
/// assert_eq!(ha_alexa::oauth::page::REQUEST_FIELD, "request");
/// ```
pub const REQUEST_FIELD: &str = "request";
/// The username field.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_alexa::oauth::page::USERNAME_FIELD, "username");
/// ```
pub const USERNAME_FIELD: &str = "username";
/// The password field.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_alexa::oauth::page::PASSWORD_FIELD, "password");
/// ```
pub const PASSWORD_FIELD: &str = "password";
/// The field of the submit buttons; the value [`DENY_ACTION`] declines, any other logs in.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_alexa::oauth::page::ACTION_FIELD, "action");
/// ```
pub const ACTION_FIELD: &str = "action";
/// The [`ACTION_FIELD`] value of a "Cancel" button: the client is told `access_denied`.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_alexa::oauth::page::DENY_ACTION, "deny");
/// ```
pub const DENY_ACTION: &str = "deny";

/// Renders the login and error pages as HTML.
///
/// Escape everything taken from the prompt or the error when writing HTML;
/// [`MinimalLoginPage`] shows how.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::{LoginPage, LoginPrompt, OAuthError};
///
/// /// A page that only says what went wrong, in plain text (for illustration).
/// struct Terse;
///
/// impl LoginPage for Terse {
///     fn login(&self, prompt: &LoginPrompt) -> String {
///         format!(
///             r#"<form method="post" action="authorize">
///                <input type="hidden" name="request" value="{}">
///                <input name="username"><input name="password" type="password">
///                <button>Log in</button></form>"#,
///             prompt.sealed_request() // base64url and '.', nothing to escape
///         )
///     }
///
///     fn error(&self, error: &OAuthError) -> String {
///         format!("<p>linking failed ({})</p>", error.code())
///     }
/// }
/// ```
pub trait LoginPage: Send + Sync + 'static {
    /// The login form for `prompt`; say that the last attempt failed when
    /// [`LoginPrompt::login_failed`].
    fn login(&self, prompt: &LoginPrompt) -> String;

    /// A page explaining `error`, shown instead of redirecting when the request cannot be
    /// trusted.
    fn error(&self, error: &OAuthError) -> String;
}

/// A small, self-contained login page: no scripts, no external resources, inline style.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::{ErrorCode, LoginPage, MinimalLoginPage, OAuthError};
///
/// let page = MinimalLoginPage::new("My Hub");
/// let html = page.error(&OAuthError::new(ErrorCode::InvalidRequest, "bad <redirect>"));
/// assert!(html.contains("bad &lt;redirect&gt;"));
/// ```
#[derive(Clone, Debug)]
pub struct MinimalLoginPage {
    hub_name: String,
}

impl MinimalLoginPage {
    /// A page titled with the hub's name.
    ///
    /// # Examples
    ///
    /// ```
    /// let page = ha_alexa::oauth::MinimalLoginPage::new("Home Hub");
    /// # let _ = page;
    /// ```
    pub fn new(hub_name: impl Into<String>) -> Self {
        Self {
            hub_name: hub_name.into(),
        }
    }

    fn document(&self, title: &str, body: &str) -> String {
        format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title><style>{STYLE}</style></head>\
             <body><main><h1>{hub}</h1>{body}</main></body></html>\n",
            title = escape(title),
            hub = escape(&self.hub_name),
        )
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f4f4f6;margin:0}\
main{max-width:22rem;margin:3rem auto;background:#fff;padding:1.5rem;border-radius:8px}\
h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0}\
input{display:block;width:100%;box-sizing:border-box;padding:.5rem;margin-top:.3rem}\
button{padding:.5rem 1rem;margin:.8rem .5rem 0 0}.error{color:#b00020}";

impl LoginPage for MinimalLoginPage {
    fn login(&self, prompt: &LoginPrompt) -> String {
        let mut body = format!(
            "<p><strong>{client}</strong> asks to control the devices of your {hub} account. \
             You will return to {host}.</p>",
            client = escape(prompt.client_name()),
            hub = escape(&self.hub_name),
            host = escape(prompt.redirect_host()),
        );
        if prompt.login_failed() {
            body.push_str(
                "<p class=\"error\" role=\"alert\">The username or password is wrong.</p>",
            );
        }
        if let Some(throttled) = prompt.throttled() {
            let wait = throttled.retry_after().as_secs();
            let text = if throttled.is_lockout() {
                format!(
                    "Too many failed attempts: logging in is locked for {} minutes. \
                     Your password is not checked until then.",
                    wait.div_ceil(60)
                )
            } else {
                format!(
                    "Too many failed attempts: wait {wait} seconds before trying again. \
                     Your password is not checked until then."
                )
            };
            let _ = write!(body, "<p class=\"error\" role=\"alert\">{text}</p>");
        }
        let _ = write!(
            body,
            "<form method=\"post\" action=\"authorize\">\
             <input type=\"hidden\" name=\"{REQUEST_FIELD}\" value=\"{request}\">\
             <label>Username<input name=\"{USERNAME_FIELD}\" autocomplete=\"username\" \
             autocapitalize=\"none\" required autofocus></label>\
             <label>Password<input name=\"{PASSWORD_FIELD}\" type=\"password\" \
             autocomplete=\"current-password\" required></label>\
             <button type=\"submit\" name=\"{ACTION_FIELD}\" value=\"allow\">Link account</button>\
             <button type=\"submit\" name=\"{ACTION_FIELD}\" value=\"{DENY_ACTION}\" \
             formnovalidate>Cancel</button></form>",
            request = escape(prompt.sealed_request()),
        );
        let title = format!("Link {} to {}", prompt.client_name(), self.hub_name);
        self.document(&title, &body)
    }

    fn error(&self, error: &OAuthError) -> String {
        let body = format!(
            "<p class=\"error\" role=\"alert\">Linking failed: {description}</p>\
             <p><small>{code}</small></p>",
            description = escape(error.description()),
            code = error.code(),
        );
        self.document("Linking failed", &body)
    }
}

/// Escapes text for HTML element content and double- or single-quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn hub_name_is_escaped() {
        let page = MinimalLoginPage::new("<script>");
        let html = page.error(&OAuthError::invalid_request("x"));
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));
    }
}
