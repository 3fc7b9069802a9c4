// The post a brand-new blog starts with, so the first page a new owner opens shows every part of
// an article: paragraphs, a block quote, a figure with its caption, and the comment form.
export const demoPost = {
  slug: 'welcome-to-the-margins',
  title: 'Welcome to the margins',
  authorName: 'The editor',
  bodyMarkdown: `Every good book I own has pencil in its margins. Some of it is mine, most of it was left
by earlier readers: a question mark beside a bold claim, a date next to a recipe, a small
"no!" under a paragraph that deserved it. The margins are where a text turns into a conversation.

This blog keeps that habit. Below each post is a form; what you write there is read by a person
before it appears, and your email address stays between you and that person.

> A margin note is a reply that knows exactly which sentence it answers.

![A page of text with handwritten notes in its margins](/assets/images/margin-notes.svg "Notes in the margin: where reading turns into talking.")

A few things worth knowing before you write:

- Line breaks and blank lines in your comment are kept, and links become clickable.
- HTML you type is shown as text, never run, so you can quote code freely.
- Tick "Save my name, email, and website" if you would like the form filled in next time.

Say hello below, disagree with something, or just leave a mark to show you were here.
`,
};
