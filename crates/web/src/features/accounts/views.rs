//! The account pages' markup: the administrator's list with the form for a new account, and
//! the own password form.

use maud::{Markup, html};
use puskesos_domain::access::Role;
use puskesos_domain::{Lang, tr};
use puskesos_storage::accounts::Account;

use super::service::creatable;
use crate::app::access::CurrentUser;

/// The accounts within reach (each but one's own with its enable/disable button) and the
/// form for a new one, with a message when the last attempt was refused.
pub fn accounts(lang: Lang, user: &CurrentUser, list: &[Account], error: Option<&str>) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let csrf = &user.csrf_token;
    let roles = creatable(user.account.role);
    let is_admin = user.account.role == Role::Admin;
    let me = &user.account.id;
    html! {
        section {
            h2 { (t("web-accounts-title")) }
            table.audit {
                thead { tr { th { (t("web-username")) } th { (t("web-display-name")) } th { (t("web-role")) } th {} } }
                tbody {
                    @for a in list {
                        tr {
                            td { (a.username) @if a.disabled { " (" (t("web-disabled")) ")" } }
                            td { (a.display_name) }
                            td { (t(&format!("role-{}", a.role.code()))) " " small { (a.region.as_ref().map(|r| r.to_string()).unwrap_or_default()) } }
                            td {
                                @if a.id != *me {
                                    form.inline method="post" action=(format!("/akun/{}/status", a.id)) {
                                        input type="hidden" name="csrf" value=(csrf);
                                        input type="hidden" name="nonaktif" value=(if a.disabled { "0" } else { "1" });
                                        button type="submit" { (if a.disabled { t("web-enable") } else { t("web-disable") }) }
                                    }
                                    details {
                                        summary { (t("web-reset-password")) }
                                        form method="post" action=(format!("/akun/{}/sandi", a.id)) {
                                            input type="hidden" name="csrf" value=(csrf);
                                            label for=(format!("reset-{}", a.id)) { (t("web-temporary-password")) }
                                            input id=(format!("reset-{}", a.id)) name="password" type="password" required minlength="8" maxlength="128" autocomplete="new-password";
                                            p { small { (t("web-temporary-password-hint")) } }
                                            button type="submit" { (t("web-reset-password")) }
                                        }
                                    }
                                    @if a.must_change_password { small { (t("web-password-temporary-mark")) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { (t("web-new-account")) }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form method="post" action="/akun" {
                input type="hidden" name="csrf" value=(csrf);
                label for="username" { (t("web-username")) }
                input id="username" name="username" required maxlength="32" autocomplete="off";
                label for="display_name" { (t("web-display-name")) }
                input id="display_name" name="display_name" required maxlength="100";
                label for="role" { (t("web-role")) }
                select id="role" name="role" {
                    @for r in &roles { option value=(r.code()) { (t(&format!("role-{}", r.code()))) } }
                }
                @if is_admin {
                    label for="region" { (t("web-region")) }
                    input id="region" name="region" maxlength="13";
                }
                label for="password" { (t("web-new-password")) }
                input id="password" name="password" type="password" required minlength="8" maxlength="128" autocomplete="new-password";
                p { small { (t("web-password-policy")) } }
                button type="submit" { (t("web-new-account")) }
            }
        }
    }
}

/// The own password form, with a message when the last attempt was refused.
pub fn password(lang: Lang, user: &CurrentUser, error: Option<&str>) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! {
        section {
            h2 { (t("web-change-password")) }
            @if user.account.must_change_password { p role="status" { (t("web-password-must-change")) } }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form method="post" action="/sandi" {
                input type="hidden" name="csrf" value=(user.csrf_token);
                label for="current" { (t("web-current-password")) }
                input id="current" name="current" type="password" required autocomplete="current-password" maxlength="128";
                label for="new" { (t("web-new-password")) }
                input id="new" name="new" type="password" required minlength="8" maxlength="128" autocomplete="new-password";
                p { small { (t("web-password-policy")) } }
                button type="submit" { (t("web-change-password")) }
            }
        }
    }
}
