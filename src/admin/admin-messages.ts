/** Everything the moderator is told, in one place for review. */
export const adminMessages = {
  notConfigured:
    'The admin area is not set up yet. Set ADMIN_USER, and ADMIN_PASSWORD_HASH to the line printed by ' +
    '`npm run -s admin:hash-password`, then restart the server.',
  apiNotConfigured:
    'The admin API is closed. Set ADMIN_API_TOKEN (32 or more characters) and restart the server to open it.',
  apiUnauthorized: 'Send the admin API token as "Authorization: Bearer <token>".',
  signInFailed: 'The user name or password is incorrect.',
  signInRequired: 'Please enter your user name and password.',
  tooManySignIns: 'Too many sign-in attempts from your address. Please wait 15 minutes and try again.',
  csrfFailed: 'This form has expired or did not come from this site. Please go back, reload the page and try again.',
  signedOut: 'You have signed out.',
  noneSelected: 'Select at least one comment first.',
  unknownAction: 'That action is not available.',
  settingsSaved: 'Settings saved.',
  postSaved: 'Post saved.',
  commentSaved: 'Comment saved.',
  commentDeleted: 'Comment deleted permanently.',
  uploadOnly: 'Send the export file as a form upload (multipart/form-data) in a field named "file".',
  uploadTooLarge: (megabytes: number) =>
    `That file is larger than ${megabytes} MB; import it from the command line instead (npm run import).`,
  uploadUnreadable: 'The upload could not be read. Send one file, in a field named "file".',
  noFile: 'Choose the export file to import.',
  unknownFormat: 'Choose what the file is: a WordPress export, a Disqus export, or a marginalia (JSON) export.',
} as const;
