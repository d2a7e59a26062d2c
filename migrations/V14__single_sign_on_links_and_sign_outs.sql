-- A user who signs in through single sign-on is the identity provider's subject, not the name the
-- provider gives them: the name may collide with a local account or change, the issuer and subject
-- do neither. Users created before this migration (created_by 'single sign-on', no link yet) are
-- linked at their next sign-in.
alter table app_user add column oidc_issuer varchar(512);
alter table app_user add column oidc_subject varchar(255);
alter table app_user add constraint app_user_oidc_link unique (oidc_issuer, oidc_subject);
alter table app_user add constraint app_user_oidc_link_whole check ((oidc_issuer is null) = (oidc_subject is null));

-- Signing out revokes every browser session of the user issued until then, on every replica: the
-- session cookie is encrypted and self-contained, so only the database can say it no longer counts.
alter table app_user add column sessions_valid_after timestamptz;
