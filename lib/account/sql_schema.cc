// Versioned schema of the account domain. Append new steps; never edit one
// that has shipped. Portable SQL (SQLite, PostgreSQL; MySQL-friendly types):
// ids are snowflake BIGINTs, times BIGINT ms since the epoch, flags SMALLINT.
#include "lib/account/sql_repository.h"

namespace tokkit::account {

const std::vector<Migration>& AccountMigrations() {
  static const auto* migrations = new std::vector<Migration>{
      {1, "users",
       R"sql(
CREATE TABLE users (
  id BIGINT PRIMARY KEY,
  username VARCHAR(32) NOT NULL,
  email VARCHAR(254) NOT NULL,
  display_name VARCHAR(200) NOT NULL,
  bio VARCHAR(1200) NOT NULL DEFAULT '',
  avatar_key VARCHAR(512) NOT NULL DEFAULT '',
  password_hash VARCHAR(255) NOT NULL,
  role SMALLINT NOT NULL DEFAULT 0,
  status SMALLINT NOT NULL DEFAULT 0,
  totp_secret VARCHAR(128) NOT NULL DEFAULT '',
  totp_pending_secret VARCHAR(128) NOT NULL DEFAULT '',
  totp_last_step BIGINT NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_username_uq ON users (username);
CREATE UNIQUE INDEX users_email_uq ON users (email);
)sql"},
      {2, "sessions and refresh tokens",
       R"sql(
CREATE TABLE sessions (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users (id),
  client VARCHAR(200) NOT NULL DEFAULT '',
  created_at_ms BIGINT NOT NULL,
  revoked_at_ms BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE TABLE refresh_tokens (
  token_hash VARCHAR(64) PRIMARY KEY,
  session_id BIGINT NOT NULL REFERENCES sessions (id),
  user_id BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  used_at_ms BIGINT NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
)sql"},
      {3, "addresses",
       R"sql(
CREATE TABLE addresses (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users (id),
  recipient VARCHAR(400) NOT NULL,
  phone VARCHAR(40) NOT NULL,
  line1 VARCHAR(800) NOT NULL,
  line2 VARCHAR(800) NOT NULL DEFAULT '',
  city VARCHAR(400) NOT NULL,
  region VARCHAR(400) NOT NULL DEFAULT '',
  postal_code VARCHAR(40) NOT NULL DEFAULT '',
  country_code VARCHAR(2) NOT NULL,
  is_default SMALLINT NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL
);
CREATE INDEX addresses_user_idx ON addresses (user_id, id);
)sql"},
      {4, "login throttle",
       R"sql(
CREATE TABLE login_throttle (
  throttle_key VARCHAR(300) PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start_ms BIGINT NOT NULL,
  locked_until_ms BIGINT NOT NULL DEFAULT 0
);
)sql"},
  };
  return *migrations;
}

}  // namespace tokkit::account
