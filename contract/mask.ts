// The one place that knows how a password sits in a URL: in the userinfo (scheme://user:pw@host,
// where the LAST '@' before the host ends it, so an unencoded '@' in the password is masked whole)
// and in a query parameter (?password=…, &sslpassword=…). Logs, config errors and the suite's
// reports all mask through it. By shape only, so it masks a password of any length.
const URL_USERINFO_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s"]*:)[^\s/?#"]*@/gi;
const URL_QUERY_PASSWORD = /([?&;](?:password|passwd|pwd|sslpassword)=)[^&#\s"]*/gi;

export function maskUrlPasswords(text: string): string {
  return text.replace(URL_USERINFO_PASSWORD, '$1***@').replace(URL_QUERY_PASSWORD, '$1***');
}
