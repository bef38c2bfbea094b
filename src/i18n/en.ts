/**
 * Every word a supporter sees, in English. es.ts has the same keys (test/i18n.test.ts fails otherwise).
 * Whole sentences with {named} places, never fragments joined in a template; a message that depends on
 * a number has a form per plural category, picked by Intl.PluralRules. In messages shown as HTML,
 * **words** are bold.
 */
export const en = {
  site: {
    skip_link: 'Skip to main content',
    language: 'Language',
    footer_privacy: 'Privacy: what we collect and why',
    footer_no_trackers: 'This site uses no trackers, no analytics and nothing from any other website.',
    error_title: 'Error: {title}',
    social_image_alt: 'Undersigned: add your name to the letter. Sign the letter.',
  },
  campaign: {
    eyebrow: 'Open letter to {target}',
    required_note: '{star} indicates a required field',
    first_name: 'First name',
    last_name: 'Last name',
    email: 'Email',
    country: 'Country',
    country_prompt: 'Select your country',
    postal_code: 'ZIP / Postal code',
    comment: 'Comment (optional)',
    comment_hint: 'It may be read out with the letter.',
    comment_info: 'You can enter up to {max} characters',
    comment_left: { one: 'You have %{count} character left', other: 'You have %{count} characters left' },
    comment_over: { one: 'You have %{count} character too many', other: 'You have %{count} characters too many' },
    honeypot: 'Leave this field empty',
    sign_button: 'Sign the letter',
    fineprint: 'We use your details only to deliver this letter and, if you tick the box, to send you updates.',
    fineprint_recent:
      'Your first name, last initial and country will appear in the list of recent signers on this page.',
    privacy_link: 'How we look after your data',
    closed_heading: 'This campaign has closed',
    closed_count: {
      one: '{total} person signed the letter to {target}. Thank you to every one of them.',
      other: '{total} people signed the letter to {target}. Thank you to every one of them.',
    },
    letter_heading: 'The letter',
    first_to_sign: 'Be the first to sign it.',
    nobody_signed: 'Nobody signed it.',
    signed_open: { one: 'Signed, {count} person and counting', other: 'Signed, {count} people and counting' },
    signed_closed: { one: 'Signed, {count} person', other: 'Signed, {count} people' },
    add_your_name: 'Add your name',
  },
  progress: {
    count: { one: '{total} signature {goal}', other: '{total} signatures {goal}' },
    of_goal: 'of {goal} goal',
    goal_reached: 'Goal reached. Every name from here adds weight.',
    to_go: '{percent}% of the goal · {left} to go',
    to_go_under_one: 'Under 1% of the goal · {left} to go',
    announce: { one: '{count} signature so far', other: '{count} signatures so far' },
  },
  recent: {
    heading: 'Recent signers',
    signer: '{name}, {country}',
    fineprint: 'We show only a first name, the initial of the last name and the country.',
  },
  share: {
    heading: 'Now ask one more person',
    text: 'Most people sign because someone they know asked them. Sharing takes ten seconds.',
    email: 'Email',
    copy_label: 'Or copy the link',
    copy_button: 'Copy link',
    copied: 'Link copied. Paste it anywhere to share.',
    copy_failed: 'Select the link and copy it.',
  },
  thanks: {
    title: 'Thank you for signing: {title}',
    sign_cta: 'Read the letter and sign it',
    back: 'Back to the campaign',
    confirm_eyebrow: 'One more step for your signature to {target}',
    confirm_heading_named: 'Thank you, {name}. Now check your email',
    confirm_heading: 'Thank you. Now check your email',
    confirm_lede:
      'We are sending an email with a link to the address you gave. Open it and press “Confirm my signature”: your signature counts once you confirm it.',
    confirm_help:
      'It can take a few minutes to arrive. If you cannot find it, look in your spam or junk folder. If it still has not come, sign again with the same address and we will send it again.',
    signed_eyebrow: 'You signed the letter to {target}',
    heading_named: 'Thank you, {name}!',
    heading: 'Thank you!',
  },
  embed: {
    read_letter: 'Read the whole letter (opens a new tab)',
    thanks: 'Your name is on the letter. Thank you for adding it.',
    thanks_confirm:
      'We are sending you an email: open it and press “Confirm my signature”. Your signature counts once you confirm it.',
    open_full: 'Open the campaign page in a new tab',
  },
  sign: {
    limited_heading: 'Too many signatures from your connection',
    limited:
      'Too many signatures were sent from your connection in the last minute, so yours was not added yet. Wait a minute, then select “Sign the letter” again: your details are still in the form. If many people share your connection, one of you can sign a little later.',
    expired:
      'This page was open for a long time, so your signature was not added yet. Check your details and select “Sign the letter” again.',
    closed_heading: 'This campaign has closed',
    closed: 'It is no longer collecting signatures, so yours was not added. Thank you for wanting to take part.',
    closed_link: 'See the final count for “{title}”',
  },
  form: {
    summary_heading: 'There is a problem',
    error_prefix: 'Error:',
    name_missing: { first_name: 'Enter your first name', last_name: 'Enter your last name' },
    name_too_long: {
      first_name: 'Your first name must be {max} characters or fewer',
      last_name: 'Your last name must be {max} characters or fewer',
    },
    name_letters: {
      first_name: 'Enter your first name using letters',
      last_name: 'Enter your last name using letters',
    },
    email_missing: 'Enter your email address',
    email_too_long: 'Your email address must be {max} characters or fewer',
    email_format: 'Enter an email address in the correct format, like name@example.com',
    email_disposable:
      'Enter an email address of your own: addresses at {domain} are disposable (anyone can read their mail), so they cannot sign',
    country_missing: 'Select your country',
    comment_too_long: 'Your comment must be {max} characters or fewer',
    comment_unreadable: 'Your comment has characters we could not read: please type it again',
    updates_invalid: 'Tick the box to get updates, or leave it empty',
    zip_missing: 'Enter your ZIP code, or change the country if you are not in the United States',
    zip_format:
      'Enter a ZIP code with 5 digits, like 12345 or 12345-6789, or change the country if you are not in the United States',
    postal_missing: 'Enter your postal code, or change the country if you are not in {country}',
    postal_format_in:
      'Enter a postal code using letters, digits, spaces and hyphens, or change the country if you are not in {country}',
    postal_format: 'Enter a postal code using letters, digits, spaces and hyphens',
  },
  errors: {
    not_found_heading: 'Page not found',
    not_found: 'If you typed the address, check it is correct. If you followed a link, it may be out of date.',
    too_large_heading: 'What you sent is too long',
    too_large: 'Please shorten what you wrote and try again.',
    bad_request_heading: 'Something in that request was not right',
    bad_request: 'We could not read that request. Please go back and try again.',
    unavailable_title: 'Please try again',
    unavailable_heading: 'Sorry, please try again in a moment',
    unavailable:
      'We are very busy and could not save that just now. Nothing was recorded: please go back and send the form again.',
    server_heading: 'Sorry, something went wrong',
    server: 'Please try again in a moment.',
    cross_site_heading: 'This form was sent from another site',
    cross_site:
      'For your safety we only accept forms sent from our own pages. Please go back to the campaign page and sign there.',
    go_to_campaign: 'Go to the campaign',
  },
  links: {
    confirmed_title: 'Your signature is confirmed: {title}',
    confirm_title: 'Confirm your signature: {title}',
    your_signature_eyebrow: 'Your signature to {target}',
    confirmed_heading: 'Your signature is confirmed',
    confirmed_lede: 'Thank you. Your name now counts on the letter “{title}”.',
    changed_mind: 'Changed your mind?',
    remove_mine: 'Remove my signature',
    stop_updates: 'Stop sending me updates',
    confirm_eyebrow: 'One more step for your signature to {target}',
    confirm_heading: 'Confirm your signature',
    confirm_lede:
      'Press the button to add your name to the letter “{title}”. Until you do, your signature is not counted.',
    confirm_button: 'Confirm my signature',
    not_you_heading: 'Did not sign, or changed your mind?',
    not_you:
      'If someone else used your email address, do nothing: an unconfirmed signature is never counted, and we erase it after {days} days.',
    remove_now: 'Remove this signature now',
    go_to_campaign_page: 'Go to the campaign page',
    expired_title: 'This link has expired',
    expired: '“{title}” has closed, so a signature can no longer be confirmed. Thank you for wanting to take part.',
    unknown_title: 'This link does not work',
    unknown_lede: 'It may be incomplete, or the signature it was for has been removed.',
    unknown_help:
      'Check that you opened the whole link from the email. If the email came a while ago, its signature may have been erased because it was not confirmed in time.',
    unknown_help_open:
      'Check that you opened the whole link from the email. If the email came a while ago, its signature may have been erased because it was not confirmed in time: you can sign again on the campaign page, and we will send a new link.',
    go_to: 'Go to “{title}”',
    unsubscribe_title: 'Stop updates: {title}',
    unsubscribe_heading: 'Stop getting updates?',
    unsubscribe_lede:
      'You asked for email updates about “{title}”. Press the button and we will send you no more. Your signature stays on the letter.',
    unsubscribed_heading: 'You will get no more updates',
    unsubscribed_lede: 'We will not send you updates about “{title}”. Your signature stays on the letter.',
    never_heading: 'You are not on the updates list',
    never_lede: 'You did not ask for updates about “{title}”, so we do not send you any.',
    withdraw_title: 'Remove your signature: {title}',
    withdraw_heading: 'Remove your signature?',
    withdraw_lede:
      'This takes your name off the letter “{title}” and erases what you gave us when you signed: your name, email address, postal code and comment.',
    withdraw_lede_confirmed:
      'This takes your name off the letter “{title}” and erases what you gave us when you signed: your name, email address, postal code and comment. The count goes down by one straight away.',
    fewer_emails: 'Only want fewer emails? {link} and keep your signature.',
    keep: 'Keep my signature and go to the campaign page',
    withdrawn_title: 'Your signature has been removed: {title}',
    withdrawn_heading: 'Your signature has been removed',
    withdrawn_lede:
      'Your name is no longer on the letter “{title}”, and we have erased the details you gave us when you signed.',
    withdrawn_again: 'If you change your mind again, you can sign on the campaign page.',
  },
  privacy: {
    title: 'Privacy: what we collect and why',
    description:
      'What this site collects when you sign, who can see it, how long it is kept, and how to get a copy or have it erased.',
    lede: 'Signing a letter like this says something about what you believe. So this site takes only what the letter needs, shows no one who signed, and forgets you when the campaign is over.',
    collect_heading: 'What we keep when you sign',
    collect_name:
      '**Your first and last name, country and ZIP or postal code**, so the letter shows that real people, and where they live, stand behind it.',
    collect_email:
      '**Your email address**, so each person signs only once, so we can find your signature if you ask for a copy or want it removed, and, only if you tick the box, to send you updates.',
    collect_comment:
      '**Your comment**, if you write one. The organizers may read it out or hand it over with the letter, so write nothing in it you would not want the letter’s recipient to see.',
    collect_updates:
      '**Whether you ticked the box for updates**, and which wording of it you saw. The box is never ticked for you.',
    collect_language: '**The language you signed in**, so any email we send you is in it.',
    collect_source:
      '**Where the link you followed came from**, when it says so: a channel such as “whatsapp” or “email”, or the name of the partner organization whose website showed the form. It names a channel, never a person.',
    collect_time: '**The date and time you signed**.',
    collect_hash:
      '**A scrambled code made from your internet address**. It lets us notice many signatures arriving from one place, which is how fake signatures usually come. It is made with a secret key held by the site, so without that key it cannot be turned back into your address. We erase it seven days after you sign.',
    email_heading: 'The emails we send',
    email_intro:
      'Where a campaign below says so, your signature counts only once you confirm it, so that nobody can sign in someone else’s name.',
    email_when:
      '**When you sign**, we send one email to the address you gave, with a link to a page where you press “Confirm my signature”. Opening the link changes nothing by itself; only the button does. The same page lets you remove the signature.',
    email_again:
      '**If you sign again** with the same address, we send that email again (or, once you have confirmed, an email saying you have already signed, with a link to remove your signature). We send at most {perSignature} such emails for one signature, and at most {perDay} a day to one address, so nobody can use the form to flood your inbox.',
    email_unconfirmed:
      '**If you do not confirm**, your signature is never counted, and we erase it, with your name and email address, {days} days after you signed.',
    email_from:
      'The emails come from {from}; replies go to the campaign’s organizers. They contain no images and no tracking: we cannot tell whether or when you opened them, and the links go straight to this site.',
    email_bounce: 'If a mail server tells us your address does not exist, we note that and send it nothing more.',
    email_unsubscribe:
      'If you ticked the box for updates, every email has a way to stop them (your email program may show it as “Unsubscribe”).',
    not_heading: 'What we do not keep',
    not_ip: 'We do not store your internet (IP) address, or anything about your browser or device.',
    not_trackers:
      'There are no trackers, no analytics and no advertising, and no page loads anything from another website, not even fonts.',
    not_logs:
      'Our server logs note which page was asked for and how long it took, never who asked: no names, email addresses, postal codes or internet addresses.',
    not_cookie:
      'There is one cookie. After you sign, it carries your first name to the thank-you page so the page can greet you. It is sent to that page only and expires after an hour.',
    who_heading: 'Who can see it',
    who_organizers:
      'The organizers of the campaign you signed, named below, can see the signatures for their campaign: the people they have given an organizer account for that campaign, and this site’s administrators, who manage those accounts.',
    who_other_campaigns: 'Organizers of the other campaigns on this site cannot see your signature.',
    who_updates_lists: 'Lists for sending updates include only people who ticked the box.',
    campaign_scoped:
      'Its signatures can be seen only by organizer accounts given this campaign and by this site’s administrators.',
    who_nobody: 'Nobody else. We do not sell, rent or give your details to anyone.',
    who_public: 'The public sees how many people signed and how many came from each country.',
    who_public_recent:
      'The public sees how many people signed and how many came from each country. Where a campaign below says so, its page also lists its most recent signers, each shown only as a first name, the initial of the last name and the country.',
    who_email: 'Your email address is never shown on this site.',
    how_long_heading: 'How long we keep it',
    how_long:
      'Each campaign says how long it keeps your details after it closes (see below). When that time is up, your name, email address, postal code, comment and the scrambled address code are erased. Only your country and the date you signed remain, without anything that could point back to you, so the campaign’s totals stay true. Backup copies of the database are replaced within 30 days, so anything erased is gone from them too within 30 days.',
    requests_heading: 'Getting a copy, or having it removed',
    requests:
      'Email the organizers of the campaign you signed, from the address below, and tell them the email address you signed with. They can send you everything this site holds about that address, and they can erase your signature from every campaign on this site, after which the count goes down by one. If you only want to stop receiving updates, tell them that.',
    campaigns_heading: { one: 'Who runs this campaign', other: 'Who runs each campaign' },
    runs: '{name} runs this campaign. To ask for a copy of your details, or to have them removed, email {email}.',
    runs_url:
      '{name} runs this campaign ({url}). To ask for a copy of your details, or to have them removed, email {email}.',
    consent: 'The box for updates says: “{text}” (wording {version}).',
    confirm_email: 'Signatures count once confirmed from the email we send when you sign.',
    delivered:
      'The letter has been handed over with its signers’ names and countries (and, if the organizers chose, their comments). {link} shows when, how many names and a fingerprint of the list, but no name.',
    delivery_record: 'The delivery record',
    lists_recent:
      'The campaign page lists its most recent signers: first name, the initial of the last name and the country.',
    no_recent: 'The campaign page does not list who signed.',
    retention_open: {
      one: 'This campaign is still open. We keep your details while it runs and for {count} month after it closes; then we erase them.',
      other:
        'This campaign is still open. We keep your details while it runs and for {count} months after it closes; then we erase them.',
    },
    retention_past: {
      one: 'This campaign closed on {closed}. The {count} month we keep details for has passed, so signers’ names, email addresses, postal codes and comments have been erased, or will be at the next daily clean-up.',
      other:
        'This campaign closed on {closed}. The {count} months we keep details for have passed, so signers’ names, email addresses, postal codes and comments have been erased, or will be at the next daily clean-up.',
    },
    retention_closed: {
      one: 'This campaign closed on {closed}. We keep signers’ details for {count} month after that and erase them on {ends}.',
      other:
        'This campaign closed on {closed}. We keep signers’ details for {count} months after that and erase them on {ends}.',
    },
  },
  mail: {
    milestone_subject: '{count} signatures: {title}',
    milestone_heading: '{count} signatures',
    milestone_body: 'The letter to {target}, “{title}”, has passed {count} counted signatures.',
    milestone_link: 'See the count, the charts and the signals on the count page:',
    milestone_footer:
      'Sent once, to each organizer account of this campaign, because its content names {count} as a milestone.',
    confirm_subject: 'Please confirm your signature: {title}',
    already_subject: 'You have already signed: {title}',
    hello: 'Hello {name},',
    questions: 'Questions? Reply to this email to reach {organizer}.',
    footer:
      'Sent because this address was used to sign “{title}”. No images, no tracking: we cannot tell whether you opened this email.',
    copy_address: 'If the button above does not work, copy this address into your browser:',
    confirm_heading: 'Please confirm your signature',
    confirm_thanks:
      'Thank you for signing the letter to {target}: “{title}”. Your signature counts once you confirm it.',
    confirm_thanks_text: 'Thank you for signing the letter to {target}: “{title}”.',
    confirm_counts_text: 'Your signature counts once you confirm it. Open this link and press “Confirm my signature”:',
    confirm_button: 'Open the page to confirm',
    confirm_press: 'On that page, press “Confirm my signature”.',
    confirm_not_you:
      'If you did not sign, you can ignore this email: a signature that is not confirmed is never counted, and we erase it after {days} days. The same page lets you remove it straight away.',
    already_heading: 'You have already signed',
    already:
      'Someone, probably you, just signed “{title}” again with this email address. You have already signed, and your signature is counted once: there is nothing more to do.',
    already_button: 'Remove my signature',
    already_button_updates: 'Remove my signature or stop updates',
    already_link_text: 'To remove your signature, open this link:',
    already_link_text_updates: 'To remove your signature or stop getting updates, open this link:',
    already_not_you: 'If it was not you, you can ignore this email. Nothing has changed.',
  },
} as const;
