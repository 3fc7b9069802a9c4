/** What every visitor may be told about a request gone wrong, in one place for review. */
export const httpMessages = {
  tooLarge: 'That is more than this site accepts in one request (256 KB). Please shorten your text.',
  invalidJson: 'The request body is not valid JSON.',
  badHost: 'The Host header of this request is not a host name.',
  unsupportedEncoding: 'The request body uses a character set or compression this site does not read; send UTF-8.',
  badRequest: 'The request could not be understood.',
  internal: 'Sorry, something went wrong on our side. Please try again in a moment.',
  databaseBusy:
    'The blog’s database is busy for a moment, so nothing was saved. Please send the same again in a few seconds.',
  databaseUnavailable: 'The blog cannot reach its database just now. Please try again in a few seconds.',
  formOnly: 'Please send the comment form (application/x-www-form-urlencoded).',
  jsonOnly: 'Please send JSON (Content-Type: application/json).',
  titles: {
    400: 'Bad request',
    401: 'Sign-in required',
    403: 'Not allowed',
    404: 'Page not found',
    409: 'Already there',
    413: 'Too large',
    415: 'Unsupported format',
    422: 'Please check your input',
    429: 'Slow down',
    500: 'Something went wrong',
    503: 'Not available right now',
  } as Record<number, string>,
} as const;
