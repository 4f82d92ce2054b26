// Shared by every reporter page: the interface text in English and Welsh, the language
// switch, quick exit (button and Escape twice), the "Get help now" panel, loading the form
// data from the API, and the resources, privacy and policies pages.
//
// Nothing here talks to any host but this page's own origin, and nothing is stored
// anywhere but this tab's sessionStorage.

import { fill, h } from "../shared/dom.js";

export const STRINGS = {
  en: {
    serviceName: "Report and get support",
    skipLink: "Skip to main content",
    quickExit: "Quick exit",
    getHelpNow: "Get help now",
    emergencyLine: "If you or someone else is in immediate danger, call 999.",
    allSupport: "All support services and helplines",
    call: "Call {phone}",
    hours: "Open: {hours}",
    website: "Website of {name}",
    footerSupport: "Support services",
    footerPrivacy: "Privacy notice",
    footerQuickExit: "To leave this site quickly, select Quick exit.",
    footerQuickExitKeys: "To leave this site quickly, select Quick exit or press Escape twice.",
    loading: "Loading…",
    loadFailedTitle: "Sorry, the form could not be loaded",
    loadFailed:
      "Please try again in a few minutes. If you need help now, call 999 in an emergency, or use the support services in “Get help now” at the top of this page.",
    tryAgain: "Try again",
    startHeading: "Report and get support",
    startIntro:
      "Use this form to tell us about bullying, harassment, sexual misconduct, a hate incident or discrimination.",
    startSteps:
      "It takes about 5 minutes. You answer one short question at a time, and you can go back and change your answers before you send them.",
    startChoice:
      "At the end, you choose whether to report anonymously, or to give your name so that an advisor can contact you and offer support.",
    startSafetyHeading: "Your safety",
    startSafety:
      "Your answers are kept only in this browser tab until you send them. Select Quick exit to leave this site at once and clear them.",
    startSafetyKeys:
      "Your answers are kept only in this browser tab until you send them. Select Quick exit, or press Escape twice, to leave this site at once and clear them.",
    startPrivacyHeading: "Your privacy",
    start: "Start",
    progress: "Step {n} of {total}",
    back: "Back",
    continue: "Continue",
    optionalQuestion: "This question is optional. You can leave it and select Continue.",
    maxChars: "You can enter up to {max} characters.",
    narrativeHeading: "Tell us what happened, in your own words (optional)",
    narrativeHint:
      "You can leave this out. Write as much or as little as you like. Only the team handling your report can read it.",
    demographicsHeading: "About you (optional)",
    demographicsIntro:
      "These questions help us see whether some groups of people are affected more than others. Every question is optional, and each has a “Prefer not to say” answer. Your answers are kept apart from your report and used only for anonymised statistics: advisors never see them.",
    modeHeading: "How do you want to send this report?",
    modeAnonymous: "Anonymously",
    modeAnonymousHint:
      "You do not give your name. No one can contact you about this report, so we cannot offer you support through it. It still helps us understand and prevent harassment.",
    modeNamed: "With my name, so that an advisor can contact me",
    modeNamedHint:
      "An advisor will contact you within 2 working days to offer support and talk through your options. Only the team supporting you will see your details.",
    contactHeading: "How can an advisor contact you?",
    contactIntro:
      "An advisor will contact you within 2 working days, in the way and at the times you choose.",
    contactName: "Your name",
    contactEmail: "Email address",
    contactEmailHint: "We will use this only to contact you about your report.",
    contactPhone: "Phone number (optional)",
    contactPhoneHint: "We need this if you would prefer a phone call.",
    contactMethod: "How would you prefer to be contacted?",
    safeTimes: "When is it safe to contact you? (optional)",
    safeTimesHint: "For example: weekday mornings; not after 6pm; do not leave a voicemail.",
    advisorPreference: "Would you prefer a particular advisor? (optional)",
    advisorPreferenceHint:
      "Select all that apply. We will try to find an advisor who fits them all.",
    reviewHeading: "Check your answers before sending",
    reviewAbout: "What happened",
    reviewAccount: "Your account",
    reviewAccountKey: "In your own words",
    reviewAboutYou: "About you",
    reviewHow: "How you are reporting",
    reviewMode: "Anonymous or named",
    personN: "Person {n}",
    personName: "Their name",
    nameUnknown: "I don't know their name",
    addPerson: "Add another person",
    removePerson: "Remove person {n}",
    peopleMax: "You can add up to {max} people.",
    personAdded: "Person {n} added.",
    personRemoved: "Person {n} removed.",
    nameNotKnown: "Name not known",
    errPeople: "Enter a name, or tick “I don't know their name”",
    notAnswered: "Not answered",
    change: "Change",
    changeHidden: " your answer to: {label}",
    privacyHeading: "Your privacy",
    privacyLink: "Read the privacy notice",
    send: "Send report",
    sending: "Sending your report…",
    errorSummaryTitle: "There is a problem",
    errorTitlePrefix: "Error: ",
    errorHidden: "Error:",
    errChooseOne: "Select an answer",
    errChooseMany: "Select at least one answer",
    errText: "Enter an answer",
    errTooLong: "This must be {max} characters or fewer",
    errOption: "Select one of the answers shown",
    errPreferenceAlone: "Select “No preference” on its own, or only the preferences you have",
    errMode: "Select whether to report anonymously or with your name",
    errName: "Enter your name",
    errEmailMissing: "Enter your email address",
    errEmail: "Enter an email address in the correct format, like name@example.com",
    errPhone: "Enter a phone number, like 07700 900 982 or +44 7700 900 982",
    errPhoneRequired: "Enter a phone number, or choose to be contacted by email",
    errContactMethod: "Select how you would prefer to be contacted",
    sendFailedTitle: "Your report has not been sent yet",
    sendFailed:
      "We could not send your report just now. Your answers are still here: please try again in a few moments.",
    formChanged:
      "This form was updated while you were filling it in. Check your answers, then send your report again.",
    conflict:
      "A report with different answers was already sent from this page. To send these answers as a new report, select Send report again.",
    confirmationHeading: "Report sent",
    yourReference: "Your reference",
    referenceHint:
      "Keep your reference somewhere safe, where no one else will see it. Quote it if you get in touch about this report.",
    nextHeading: "What happens next",
    supportHeading: "Support is available now",
    supportText: "You do not have to wait. These services can help now:",
    newReport: "Start a new report",
    resourcesHeading: "Support and emergency contacts",
    resourcesIntro: "You can contact these services whether or not you make a report.",
    emergencyHeading: "In an emergency",
    otherSupportHeading: "Support services",
    backToReport: "Back to the report form",
    privacyPageHeading: "Privacy notice",
    privacyVersion: "Version {version}",
    charsLeft: "You have {n} characters remaining",
    charsLeftOne: "You have 1 character remaining",
    charsOver: "You have {n} characters too many",
    charsOverOne: "You have 1 character too many",
    modeConfidentialityHeading: "Before you choose: when we may have to share what you tell us",
    confidentialityLink: "When we may share information (privacy notice)",
    footerPolicies: "Policies and procedures",
    privacyControllerHeading: "Who is responsible for your data",
    privacyDpoHeading: "Our Data Protection Officer",
    privacyDpoIntro: "You can contact our Data Protection Officer about anything in this notice:",
    privacyEmail: "Email: ",
    privacyPhone: "Phone: ",
    privacyPost: "Post: ",
    privacyBasesHeading: "Why we are allowed to use your data",
    privacyKeepHeading: "What we keep, and for how long",
    privacyKeepDraft:
      "Until you send your report, your answers are kept only in this browser tab. Quick exit clears them.",
    privacyKeepNamed:
      "If you give your name, your name, your contact details and everything you wrote in your own words are deleted {months} months after your case is closed. Your multiple-choice answers are kept, with nothing that identifies you, for statistics.",
    privacyKeepAnonymised:
      "Anonymous reports, what is left of named reports once personal details are deleted, and your answers to the optional questions about you are deleted {years} years after the report was sent.",
    privacyKeepHold:
      "If a case becomes part of legal proceedings, we may have to keep it until they end.",
    privacySeesHeading: "Who sees what",
    privacySeesAnonymous:
      "Anonymous reports: the team that screens reports may read them, to see whether something needs doing (for example, about a building). Nothing in them says who you are, unless you wrote it.",
    privacySeesNamed:
      "Named reports: your name, contact details and what you wrote are seen only by the team that screens reports and the advisor supporting you. Every time someone opens them, it is recorded.",
    privacySeesAboutYou:
      "Your answers to the optional questions about you are kept apart from your report, locked with a separate key. Advisors and screeners cannot see them.",
    privacySeesOthers:
      "A report may hold information about other people: the person it happened to, if you report for someone else or as a witness, and the people involved. It is protected as yours is: names are locked, and only the team handling the report sees them.",
    privacySeesAnalysts:
      "People who study trends see only anonymised statistics, never a report. Any group of fewer than {threshold} people is hidden, so that no one can be picked out.",
    privacyConfidentialityHeading: "When we may share what you tell us",
    privacyRightsHeading: "Your rights, and how to use them",
    privacyRightsList:
      "You have the right to see the personal data we hold about you, to have it corrected, and to have it deleted. In some cases you can also object to how we use it, or ask us to limit it.",
    privacyRightsHow:
      "To use any of these rights, email or write to our Data Protection Officer (details above). Tell us the email address you gave in your report and, if you have it, your reference (like RS-7K3M-Q2PD): your reference lets us find your report. We answer within one month.",
    privacyRightsAnonymous:
      "An anonymous report holds no name or contact details, so we cannot find it from your name or email address: only its reference finds it.",
    privacyComplainHeading: "If you are unhappy",
    policiesHeading: "Policies and procedures",
    policiesIntro:
      "Our policies on bullying, harassment, sexual misconduct and discrimination, and the procedures that may follow a report.",
    policiesComplaintHeading: "Making a formal complaint",
    policiesDraftKept:
      "If you were filling in the report form, your answers are still there: go back to carry on.",
    footerFollowUp: "Already reported? Follow up with your code",
    followUpHeading: "Do you want to keep a way back in to your report?",
    followUpIntro:
      "We can give you a code that only you will hold. With it, you can come back to this site to:",
    followUpSee: "see what has happened with your report",
    followUpAnswer: "answer questions from the staff handling it, and send them messages",
    followUpNobody: "Nobody can find out who you are from the code.",
    followUpLose:
      "If you lose the code, we cannot give it back to you: we do not keep a copy of it.",
    followUpYes: "Yes, give me a code",
    followUpNo: "No, I do not want a code",
    followUpNotChosen: "Not answered: you will not be given a code",
    errFollowUp: "A code to come back with can only be given with an anonymous report",
    reviewFollowUp: "A way back in (a code)",
    codeHeading: "Your code to come back to this report",
    codeOnce: "This is the only time we will show you this code. Copy it or write it down now.",
    copyCode: "Copy code",
    copied: "Copied",
    copyFailed: "The code could not be copied. Select it and copy it, or write it down.",
    codeSafeHeading: "Keep your code safe",
    codeSafeWrite: "Write it down somewhere only you can see.",
    codeSafeDevice: "Do not save it on a shared device, such as a shared or work computer.",
    codeSafeAnyone: "Anyone with the code can read your report, so do not share it.",
    codeSafeLose: "If you lose it, we cannot give it back to you.",
    lookAgain: "Look again from {date}: staff may have replied or asked you something by then.",
    followUpLink: "Follow up on your report with your code",
    codeNotShownAgain:
      "Your code was shown when you sent your report. To keep it safe, it is not shown again.",
    fuHeading: "Follow up on your report",
    fuIntro:
      "If you reported anonymously and kept a code, enter it here to see your report, what has happened to it and any messages from staff.",
    fuCodeLabel: "Your code",
    fuCodeHint:
      "The 20 letters and numbers you were given when you sent your report. You can type it with or without the dashes.",
    fuOpen: "Open my report",
    fuOpening: "Opening your report…",
    errCodeMissing: "Enter your code",
    errCodeMalformed: "Enter the code as it was shown to you: 20 letters and numbers",
    errCodeNotFound: "No report matches this code. Check it, or the report may no longer exist.",
    fuWaitTitle: "Please wait before trying again",
    fuWait:
      "Too many codes have been tried on this site recently, so codes are not being checked for a short while. This is not because of anything you did.",
    fuWaitMinutes: "Please try again in {n} minutes.",
    fuWaitMinute: "Please try again in 1 minute.",
    fuFailedTitle: "Sorry, something went wrong",
    fuFailed: "We could not reach your report just now. Please try again in a few moments.",
    fuKept:
      "While your report is open, your code is kept only in this browser tab. Sign out when you have finished, or select Quick exit, and it is forgotten.",
    fuReportHeading: "Your report",
    fuReference: "Reference",
    fuSent: "Sent",
    fuStatus: "What is happening",
    statusReceived: "Received",
    statusReceivedText:
      "We have your report. The team that screens reports will read it and decide who should deal with it.",
    statusBeingHandled: "Being dealt with",
    statusBeingHandledText:
      "Someone in the team is dealing with your report. They may ask you something here, so look again from time to time.",
    statusRecorded: "Recorded",
    statusRecordedText:
      "Your report has been read and recorded. It helps us understand what is happening and prevent it.",
    statusClosed: "Closed",
    statusClosedText:
      "The work on your report has finished. You can still read it here until it is deleted.",
    replyExpected: "Staff have asked you something. You can answer below.",
    fuAnswersHeading: "What you told us",
    fuMessagesHeading: "Messages",
    fuNoMessages: "There are no messages yet.",
    fromYou: "You",
    fromStaff: "Staff",
    fuMessageLabel: "Send a message to the staff handling your report",
    fuMessageHint:
      "Only the staff handling your report can read it. You do not have to give your name.",
    fuSend: "Send message",
    fuSending: "Sending your message…",
    fuMessageSent: "Message sent",
    errMessageMissing: "Enter a message",
    fuSendFailedTitle: "Your message has not been sent yet",
    fuSendFailed:
      "We could not send your message just now. It is still here: please try again in a few moments.",
    signOut: "Sign out",
    signedOut: "You have signed out. Your code is no longer kept in this browser tab.",
  },
  cy: {
    serviceName: "Rhoi gwybod a chael cymorth",
    skipLink: "Neidio i'r prif gynnwys",
    quickExit: "Gadael yn gyflym",
    getHelpNow: "Cael help nawr",
    emergencyLine: "Os ydych chi neu rywun arall mewn perygl uniongyrchol, ffoniwch 999.",
    allSupport: "Pob gwasanaeth cymorth a llinell gymorth",
    call: "Ffoniwch {phone}",
    hours: "Ar agor: {hours}",
    website: "Gwefan {name}",
    footerSupport: "Gwasanaethau cymorth",
    footerPrivacy: "Hysbysiad preifatrwydd",
    footerQuickExit: "I adael y wefan hon yn gyflym, dewiswch “Gadael yn gyflym”.",
    footerQuickExitKeys:
      "I adael y wefan hon yn gyflym, dewiswch “Gadael yn gyflym” neu pwyswch Escape ddwywaith.",
    loading: "Wrthi'n llwytho…",
    loadFailedTitle: "Mae'n ddrwg gennym, doedd dim modd llwytho'r ffurflen",
    loadFailed:
      "Rhowch gynnig arall arni ymhen ychydig funudau. Os oes angen help arnoch chi nawr, ffoniwch 999 mewn argyfwng, neu defnyddiwch y gwasanaethau cymorth o dan “Cael help nawr” ar frig y dudalen hon.",
    tryAgain: "Rhoi cynnig arall arni",
    startHeading: "Rhoi gwybod a chael cymorth",
    startIntro:
      "Defnyddiwch y ffurflen hon i roi gwybod i ni am fwlio, aflonyddu, camymddwyn rhywiol, digwyddiad casineb neu wahaniaethu.",
    startSteps:
      "Mae'n cymryd tua 5 munud. Rydych chi'n ateb un cwestiwn byr ar y tro, a gallwch chi fynd yn ôl a newid eich atebion cyn eu hanfon.",
    startChoice:
      "Ar y diwedd, byddwch chi'n dewis a ydych chi am roi gwybod yn ddienw, neu roi eich enw fel bod cynghorydd yn gallu cysylltu â chi a chynnig cymorth.",
    startSafetyHeading: "Eich diogelwch",
    startSafety:
      "Dim ond yn y tab hwn yn eich porwr y caiff eich atebion eu cadw nes i chi eu hanfon. Dewiswch “Gadael yn gyflym” i adael y wefan hon ar unwaith a'u clirio.",
    startSafetyKeys:
      "Dim ond yn y tab hwn yn eich porwr y caiff eich atebion eu cadw nes i chi eu hanfon. Dewiswch “Gadael yn gyflym”, neu pwyswch Escape ddwywaith, i adael y wefan hon ar unwaith a'u clirio.",
    startPrivacyHeading: "Eich preifatrwydd",
    start: "Dechrau",
    progress: "Cam {n} o {total}",
    back: "Yn ôl",
    continue: "Parhau",
    optionalQuestion: "Does dim rhaid ateb y cwestiwn hwn. Gallwch chi ei adael a dewis “Parhau”.",
    maxChars: "Gallwch chi roi hyd at {max} nod.",
    narrativeHeading: "Dywedwch wrthon ni beth ddigwyddodd, yn eich geiriau eich hun (dewisol)",
    narrativeHint:
      "Gallwch chi adael hyn allan. Ysgrifennwch gymaint neu gyn lleied ag y dymunwch chi. Dim ond y tîm sy'n delio â'ch adroddiad all ei ddarllen.",
    demographicsHeading: "Amdanoch chi (dewisol)",
    demographicsIntro:
      "Mae'r cwestiynau hyn yn ein helpu i weld a yw rhai grwpiau o bobl yn cael eu heffeithio'n fwy nag eraill. Does dim rhaid ateb unrhyw gwestiwn, ac mae gan bob un yr ateb “Gwell gen i beidio â dweud”. Caiff eich atebion eu cadw ar wahân i'ch adroddiad a'u defnyddio ar gyfer ystadegau dienw yn unig: dydy cynghorwyr byth yn eu gweld.",
    modeHeading: "Sut hoffech chi anfon yr adroddiad hwn?",
    modeAnonymous: "Yn ddienw",
    modeAnonymousHint:
      "Dydych chi ddim yn rhoi eich enw. Does neb yn gallu cysylltu â chi am yr adroddiad hwn, felly allwn ni ddim cynnig cymorth i chi drwyddo. Mae'n dal i'n helpu ni i ddeall ac atal aflonyddu.",
    modeNamed: "Gyda fy enw, fel bod cynghorydd yn gallu cysylltu â fi",
    modeNamedHint:
      "Bydd cynghorydd yn cysylltu â chi o fewn 2 ddiwrnod gwaith i gynnig cymorth a thrafod eich opsiynau. Dim ond y tîm sy'n eich cefnogi fydd yn gweld eich manylion.",
    contactHeading: "Sut gall cynghorydd gysylltu â chi?",
    contactIntro:
      "Bydd cynghorydd yn cysylltu â chi o fewn 2 ddiwrnod gwaith, yn y ffordd ac ar yr adegau rydych chi'n eu dewis.",
    contactName: "Eich enw",
    contactEmail: "Cyfeiriad e-bost",
    contactEmailHint: "Byddwn ni'n defnyddio hwn dim ond i gysylltu â chi am eich adroddiad.",
    contactPhone: "Rhif ffôn (dewisol)",
    contactPhoneHint: "Mae angen hwn arnon ni os byddai'n well gennych chi gael galwad ffôn.",
    contactMethod: "Sut byddai'n well gennych chi i ni gysylltu â chi?",
    safeTimes: "Pryd mae'n ddiogel cysylltu â chi? (dewisol)",
    safeTimesHint:
      "Er enghraifft: boreau yn ystod yr wythnos; dim ar ôl 6pm; peidiwch â gadael neges llais.",
    advisorPreference: "Oes gennych chi ffafriaeth o ran cynghorydd? (dewisol)",
    advisorPreferenceHint:
      "Dewiswch bob un sy'n berthnasol. Byddwn yn ceisio dod o hyd i gynghorydd sy'n cyfateb i bob un.",
    reviewHeading: "Gwiriwch eich atebion cyn anfon",
    reviewAbout: "Beth ddigwyddodd",
    reviewAccount: "Eich disgrifiad",
    reviewAccountKey: "Yn eich geiriau eich hun",
    reviewAboutYou: "Amdanoch chi",
    reviewHow: "Sut rydych chi'n rhoi gwybod",
    reviewMode: "Dienw neu gydag enw",
    personN: "Person {n}",
    personName: "Eu henw",
    nameUnknown: "Dw i ddim yn gwybod eu henw",
    addPerson: "Ychwanegu person arall",
    removePerson: "Tynnu person {n}",
    peopleMax: "Gallwch chi ychwanegu hyd at {max} o bobl.",
    personAdded: "Person {n} wedi'i ychwanegu.",
    personRemoved: "Person {n} wedi'i dynnu.",
    nameNotKnown: "Enw anhysbys",
    errPeople: "Rhowch enw, neu ticiwch “Dw i ddim yn gwybod eu henw”",
    notAnswered: "Heb ateb",
    change: "Newid",
    changeHidden: " eich ateb i: {label}",
    privacyHeading: "Eich preifatrwydd",
    privacyLink: "Darllen yr hysbysiad preifatrwydd",
    send: "Anfon yr adroddiad",
    sending: "Wrthi'n anfon eich adroddiad…",
    errorSummaryTitle: "Mae problem wedi codi",
    errorTitlePrefix: "Gwall: ",
    errorHidden: "Gwall:",
    errChooseOne: "Dewiswch ateb",
    errChooseMany: "Dewiswch o leiaf un ateb",
    errText: "Rhowch ateb",
    errTooLong: "Rhaid i hwn fod yn {max} nod neu lai",
    errOption: "Dewiswch un o'r atebion sydd wedi'u dangos",
    errPreferenceAlone:
      "Dewiswch “Dim ffafriaeth” ar ei ben ei hun, neu dim ond y ffafriaethau sydd gennych",
    errMode: "Dewiswch a ydych chi am roi gwybod yn ddienw neu gyda'ch enw",
    errName: "Rhowch eich enw",
    errEmailMissing: "Rhowch eich cyfeiriad e-bost",
    errEmail: "Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com",
    errPhone: "Rhowch rif ffôn, fel 07700 900 982 neu +44 7700 900 982",
    errPhoneRequired: "Rhowch rif ffôn, neu dewiswch i ni gysylltu â chi drwy e-bost",
    errContactMethod: "Dewiswch sut byddai'n well gennych chi i ni gysylltu â chi",
    sendFailedTitle: "Dydy eich adroddiad ddim wedi'i anfon eto",
    sendFailed:
      "Allen ni ddim anfon eich adroddiad y funud hon. Mae eich atebion yn dal yma: rhowch gynnig arall arni ymhen ychydig eiliadau.",
    formChanged:
      "Cafodd y ffurflen hon ei diweddaru tra oeddech chi'n ei llenwi. Gwiriwch eich atebion, yna anfonwch eich adroddiad eto.",
    conflict:
      "Mae adroddiad gydag atebion gwahanol eisoes wedi'i anfon o'r dudalen hon. I anfon yr atebion hyn fel adroddiad newydd, dewiswch “Anfon yr adroddiad” eto.",
    confirmationHeading: "Adroddiad wedi'i anfon",
    yourReference: "Eich cyfeirnod",
    referenceHint:
      "Cadwch eich cyfeirnod yn rhywle diogel, lle na fydd neb arall yn ei weld. Nodwch ef os byddwch chi'n cysylltu â ni am yr adroddiad hwn.",
    nextHeading: "Beth sy'n digwydd nesaf",
    supportHeading: "Mae cymorth ar gael nawr",
    supportText: "Does dim rhaid i chi aros. Gall y gwasanaethau hyn helpu nawr:",
    newReport: "Dechrau adroddiad newydd",
    resourcesHeading: "Cymorth a chysylltiadau brys",
    resourcesIntro:
      "Gallwch chi gysylltu â'r gwasanaethau hyn p'un a ydych chi'n gwneud adroddiad ai peidio.",
    emergencyHeading: "Mewn argyfwng",
    otherSupportHeading: "Gwasanaethau cymorth",
    backToReport: "Yn ôl i'r ffurflen",
    privacyPageHeading: "Hysbysiad preifatrwydd",
    privacyVersion: "Fersiwn {version}",
    charsLeft: "Mae gennych chi {n} nod ar ôl",
    charsLeftOne: "Mae gennych chi 1 nod ar ôl",
    charsOver: "Mae gennych chi {n} nod yn ormod",
    charsOverOne: "Mae gennych chi 1 nod yn ormod",
    modeConfidentialityHeading:
      "Cyn i chi ddewis: pryd y gallai fod rhaid i ni rannu'r hyn rydych chi'n ei ddweud wrthon ni",
    confidentialityLink: "Pryd y gallen ni rannu gwybodaeth (hysbysiad preifatrwydd)",
    footerPolicies: "Polisïau a gweithdrefnau",
    privacyControllerHeading: "Pwy sy'n gyfrifol am eich data",
    privacyDpoHeading: "Ein Swyddog Diogelu Data",
    privacyDpoIntro:
      "Gallwch chi gysylltu â'n Swyddog Diogelu Data am unrhyw beth yn yr hysbysiad hwn:",
    privacyEmail: "E-bost: ",
    privacyPhone: "Ffôn: ",
    privacyPost: "Post: ",
    privacyBasesHeading: "Pam y cawn ni ddefnyddio eich data",
    privacyKeepHeading: "Beth rydyn ni'n ei gadw, ac am ba hyd",
    privacyKeepDraft:
      "Nes i chi anfon eich adroddiad, dim ond yn y tab porwr hwn y caiff eich atebion eu cadw. Mae “Gadael yn gyflym” yn eu clirio.",
    privacyKeepNamed:
      "Os ydych chi'n rhoi eich enw, caiff eich enw, eich manylion cyswllt a phopeth a ysgrifennoch chi yn eich geiriau eich hun eu dileu {months} o fisoedd ar ôl i'ch achos gau. Caiff eich atebion amlddewis eu cadw ar gyfer ystadegau, heb ddim sy'n dangos pwy ydych chi.",
    privacyKeepAnonymised:
      "Caiff adroddiadau dienw, yr hyn sy'n weddill o adroddiadau ag enw ar ôl dileu'r manylion personol, a'ch atebion i'r cwestiynau dewisol amdanoch chi eu dileu {years} o flynyddoedd ar ôl anfon yr adroddiad.",
    privacyKeepHold:
      "Os daw achos yn rhan o achos cyfreithiol, efallai y bydd rhaid i ni ei gadw nes iddo ddod i ben.",
    privacySeesHeading: "Pwy sy'n gweld beth",
    privacySeesAnonymous:
      "Adroddiadau dienw: gall y tîm sy'n sgrinio adroddiadau eu darllen, i weld a oes angen gwneud rhywbeth (er enghraifft, am adeilad). Does dim ynddyn nhw sy'n dweud pwy ydych chi, oni bai eich bod chi wedi'i ysgrifennu.",
    privacySeesNamed:
      "Adroddiadau ag enw: dim ond y tîm sy'n sgrinio adroddiadau a'r cynghorydd sy'n eich cefnogi chi sy'n gweld eich enw, eich manylion cyswllt a'r hyn a ysgrifennoch chi. Caiff pob tro y bydd rhywun yn eu hagor ei gofnodi.",
    privacySeesAboutYou:
      "Caiff eich atebion i'r cwestiynau dewisol amdanoch chi eu cadw ar wahân i'ch adroddiad, wedi'u cloi ag allwedd ar wahân. Dydy cynghorwyr a sgrinwyr ddim yn gallu eu gweld.",
    privacySeesOthers:
      "Gall adroddiad gynnwys gwybodaeth am bobl eraill: y person y digwyddodd iddo, os ydych chi'n adrodd ar ran rhywun arall neu fel tyst, a'r bobl dan sylw. Caiff ei diogelu fel eich gwybodaeth chi: caiff enwau eu cloi, a dim ond y tîm sy'n delio â'r adroddiad sy'n eu gweld.",
    privacySeesAnalysts:
      "Dim ond ystadegau dienw y mae pobl sy'n astudio tueddiadau yn eu gweld, byth adroddiad. Caiff unrhyw grŵp o lai na {threshold} o bobl ei guddio, fel na all neb gael ei adnabod.",
    privacyConfidentialityHeading: "Pryd y gallen ni rannu'r hyn rydych chi'n ei ddweud wrthon ni",
    privacyRightsHeading: "Eich hawliau, a sut i'w defnyddio",
    privacyRightsList:
      "Mae gennych chi hawl i weld y data personol sydd gennym ni amdanoch chi, i'w gywiro, ac i'w ddileu. Mewn rhai achosion gallwch chi hefyd wrthwynebu'r ffordd rydyn ni'n ei ddefnyddio, neu ofyn i ni ei gyfyngu.",
    privacyRightsHow:
      "I ddefnyddio unrhyw un o'r hawliau hyn, anfonwch e-bost neu ysgrifennwch at ein Swyddog Diogelu Data (manylion uchod). Dywedwch wrthon ni pa gyfeiriad e-bost a roesoch chi yn eich adroddiad ac, os yw gennych chi, eich cyfeirnod (fel RS-7K3M-Q2PD): mae eich cyfeirnod yn ein helpu i ddod o hyd i'ch adroddiad. Byddwn ni'n ateb o fewn mis.",
    privacyRightsAnonymous:
      "Does dim enw na manylion cyswllt mewn adroddiad dienw, felly allwn ni ddim dod o hyd iddo o'ch enw na'ch cyfeiriad e-bost: dim ond ei gyfeirnod sy'n dod o hyd iddo.",
    privacyComplainHeading: "Os ydych chi'n anhapus",
    policiesHeading: "Polisïau a gweithdrefnau",
    policiesIntro:
      "Ein polisïau ar fwlio, aflonyddu, camymddwyn rhywiol a gwahaniaethu, a'r gweithdrefnau a allai ddilyn adroddiad.",
    policiesComplaintHeading: "Gwneud cwyn ffurfiol",
    policiesDraftKept:
      "Os oeddech chi'n llenwi'r ffurflen adrodd, mae eich atebion yno o hyd: ewch yn ôl i barhau.",
    footerFollowUp: "Wedi rhoi gwybod yn barod? Dilynwch eich adroddiad gyda'ch cod",
    followUpHeading: "Ydych chi am gadw ffordd yn ôl at eich adroddiad?",
    followUpIntro:
      "Gallwn ni roi cod i chi, a dim ond chi fydd ag ef. Gyda'r cod, gallwch chi ddod yn ôl i'r wefan hon i:",
    followUpSee: "weld beth sydd wedi digwydd gyda'ch adroddiad",
    followUpAnswer: "ateb cwestiynau gan y staff sy'n delio ag ef, ac anfon negeseuon atyn nhw",
    followUpNobody: "Does neb yn gallu darganfod pwy ydych chi o'r cod.",
    followUpLose:
      "Os byddwch chi'n colli'r cod, allwn ni ddim ei roi yn ôl i chi: dydyn ni ddim yn cadw copi ohono.",
    followUpYes: "Ydw, rhowch god i fi",
    followUpNo: "Nac ydw, does dim angen cod arna i",
    followUpNotChosen: "Heb ateb: fyddwch chi ddim yn cael cod",
    errFollowUp: "Dim ond gydag adroddiad dienw y gellir rhoi cod i ddod yn ôl",
    reviewFollowUp: "Ffordd yn ôl (cod)",
    codeHeading: "Eich cod i ddod yn ôl at yr adroddiad hwn",
    codeOnce:
      "Dyma'r unig dro y byddwn ni'n dangos y cod hwn i chi. Copïwch ef neu ei ysgrifennu nawr.",
    copyCode: "Copïo'r cod",
    copied: "Wedi'i gopïo",
    copyFailed: "Doedd dim modd copïo'r cod. Dewiswch ef a'i gopïo, neu ei ysgrifennu.",
    codeSafeHeading: "Cadwch eich cod yn ddiogel",
    codeSafeWrite: "Ysgrifennwch ef yn rhywle lle mai dim ond chi sy'n gallu ei weld.",
    codeSafeDevice:
      "Peidiwch â'i gadw ar ddyfais a rennir, fel cyfrifiadur a rennir neu gyfrifiadur gwaith.",
    codeSafeAnyone:
      "Gall unrhyw un sydd â'r cod ddarllen eich adroddiad, felly peidiwch â'i rannu.",
    codeSafeLose: "Os byddwch chi'n ei golli, allwn ni ddim ei roi yn ôl i chi.",
    lookAgain:
      "Edrychwch eto o {date} ymlaen: efallai y bydd y staff wedi ateb neu wedi gofyn rhywbeth i chi erbyn hynny.",
    followUpLink: "Dilyn eich adroddiad gyda'ch cod",
    codeNotShownAgain:
      "Cafodd eich cod ei ddangos pan anfonoch chi eich adroddiad. Er mwyn ei gadw'n ddiogel, dydy e ddim yn cael ei ddangos eto.",
    fuHeading: "Dilyn eich adroddiad",
    fuIntro:
      "Os gwnaethoch chi roi gwybod yn ddienw a chadw cod, rhowch ef yma i weld eich adroddiad, beth sydd wedi digwydd iddo ac unrhyw negeseuon gan staff.",
    fuCodeLabel: "Eich cod",
    fuCodeHint:
      "Yr 20 llythyren a rhif a gawsoch chi pan anfonoch chi eich adroddiad. Gallwch chi ei deipio gyda'r llinellau toriad neu hebddyn nhw.",
    fuOpen: "Agor fy adroddiad",
    fuOpening: "Wrthi'n agor eich adroddiad…",
    errCodeMissing: "Rhowch eich cod",
    errCodeMalformed: "Rhowch y cod fel y cafodd ei ddangos i chi: 20 llythyren a rhif",
    errCodeNotFound:
      "Does dim adroddiad yn cyfateb i'r cod hwn. Gwiriwch ef, neu efallai nad yw'r adroddiad yn bodoli mwyach.",
    fuWaitTitle: "Arhoswch cyn rhoi cynnig arall arni",
    fuWait:
      "Mae gormod o godau wedi cael eu rhoi ar y wefan hon yn ddiweddar, felly dydy codau ddim yn cael eu gwirio am ychydig. Nid oherwydd unrhyw beth a wnaethoch chi.",
    fuWaitMinutes: "Rhowch gynnig arall arni ymhen {n} munud.",
    fuWaitMinute: "Rhowch gynnig arall arni ymhen 1 munud.",
    fuFailedTitle: "Mae'n ddrwg gennym, aeth rhywbeth o'i le",
    fuFailed:
      "Allen ni ddim cyrraedd eich adroddiad y funud hon. Rhowch gynnig arall arni ymhen ychydig eiliadau.",
    fuKept:
      "Tra bydd eich adroddiad ar agor, dim ond yn y tab hwn yn eich porwr y caiff eich cod ei gadw. Allgofnodwch pan fyddwch chi wedi gorffen, neu dewiswch “Gadael yn gyflym”, a chaiff ei anghofio.",
    fuReportHeading: "Eich adroddiad",
    fuReference: "Cyfeirnod",
    fuSent: "Anfonwyd",
    fuStatus: "Beth sy'n digwydd",
    statusReceived: "Wedi dod i law",
    statusReceivedText:
      "Mae eich adroddiad gennym ni. Bydd y tîm sy'n sgrinio adroddiadau yn ei ddarllen ac yn penderfynu pwy ddylai ddelio ag ef.",
    statusBeingHandled: "Yn cael sylw",
    statusBeingHandledText:
      "Mae rhywun yn y tîm yn delio â'ch adroddiad. Efallai y byddan nhw'n gofyn rhywbeth i chi yma, felly edrychwch eto o bryd i'w gilydd.",
    statusRecorded: "Wedi'i gofnodi",
    statusRecordedText:
      "Mae eich adroddiad wedi cael ei ddarllen a'i gofnodi. Mae'n ein helpu ni i ddeall beth sy'n digwydd a'i atal.",
    statusClosed: "Wedi cau",
    statusClosedText:
      "Mae'r gwaith ar eich adroddiad wedi dod i ben. Gallwch chi ei ddarllen yma o hyd nes iddo gael ei ddileu.",
    replyExpected: "Mae'r staff wedi gofyn rhywbeth i chi. Gallwch chi ateb isod.",
    fuAnswersHeading: "Beth ddywedoch chi wrthon ni",
    fuMessagesHeading: "Negeseuon",
    fuNoMessages: "Does dim negeseuon eto.",
    fromYou: "Chi",
    fromStaff: "Staff",
    fuMessageLabel: "Anfon neges at y staff sy'n delio â'ch adroddiad",
    fuMessageHint:
      "Dim ond y staff sy'n delio â'ch adroddiad all ei darllen. Does dim rhaid i chi roi eich enw.",
    fuSend: "Anfon neges",
    fuSending: "Wrthi'n anfon eich neges…",
    fuMessageSent: "Neges wedi'i hanfon",
    errMessageMissing: "Rhowch neges",
    fuSendFailedTitle: "Dydy eich neges ddim wedi'i hanfon eto",
    fuSendFailed:
      "Allen ni ddim anfon eich neges y funud hon. Mae hi'n dal yma: rhowch gynnig arall arni ymhen ychydig eiliadau.",
    signOut: "Allgofnodi",
    signedOut:
      "Rydych chi wedi allgofnodi. Dydy eich cod ddim yn cael ei gadw yn y tab porwr hwn mwyach.",
  },
};

export const LANGUAGES = ["en", "cy"];
/** The button that switches to the other language names it in that language. */
const LANGUAGE_NAMES = { en: "English", cy: "Cymraeg" };

/** The keys this service keeps in sessionStorage; quick exit removes them all. */
export const KEYS = {
  draft: "report:draft",
  language: "report:language",
  receipt: "report:receipt",
  /** The follow-up page's receipt code, while the reporter's report is open there. */
  followUp: "report:follow-up",
};
/** Same origin, neutral, with no link back. Never another site: no outside requests. */
export const EXIT_URL = "/report/exit.html";
const ESCAPE_TWICE_MS = 1000;

// --- storage: this tab's sessionStorage only, with an in-memory fallback -----------------

const memory = new Map();
// Set for good by quick exit. From then on nothing may be written: removing the page's
// fields fires `change` (and a pending request may still answer), and their handlers save.
let exiting = false;

export const store = {
  get(key) {
    let raw = null;
    try {
      raw = window.sessionStorage.getItem(key);
    } catch {
      raw = memory.has(key) ? memory.get(key) : null;
    }
    if (raw === null) return null;
    try {
      return JSON.parse(raw);
    } catch {
      return null;
    }
  },
  set(key, value) {
    if (exiting) return;
    const raw = JSON.stringify(value);
    try {
      window.sessionStorage.setItem(key, raw);
    } catch {
      memory.set(key, raw);
    }
  },
  remove(key) {
    memory.delete(key);
    try {
      window.sessionStorage.removeItem(key);
    } catch {
      // storage disabled: nothing was written there
    }
  },
};

// --- language --------------------------------------------------------------------------

let language = initialLanguage();
const languageListeners = [];

function initialLanguage() {
  const asked = new URLSearchParams(window.location.search).get("lang");
  if (LANGUAGES.includes(asked)) {
    store.set(KEYS.language, asked);
    return asked;
  }
  const kept = store.get(KEYS.language);
  if (LANGUAGES.includes(kept)) return kept;
  const preferred = (navigator.languages || [navigator.language || "en"]).find((tag) =>
    LANGUAGES.includes(String(tag).slice(0, 2).toLowerCase()),
  );
  return preferred ? preferred.slice(0, 2).toLowerCase() : "en";
}

export function currentLanguage() {
  return language;
}

export function setLanguage(next) {
  if (!LANGUAGES.includes(next) || next === language) return;
  language = next;
  store.set(KEYS.language, next);
  applyChrome();
  for (const listener of languageListeners) listener(next);
}

export function onLanguageChange(listener) {
  languageListeners.push(listener);
}

/** Interface text in the current language, with `{name}` placeholders filled. */
export function t(key, values = {}) {
  const text = STRINGS[language][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}

/** A text from the institution's data: {text, lang}, English when there is no translation. */
export function local(text) {
  if (!text) return { text: "", lang: language };
  if (text[language]) return { text: text[language], lang: language };
  return { text: text.en ?? "", lang: "en" };
}

/** Put an institution text into an element, marking its language if it fell back. */
export function localText(element, text) {
  const { text: value, lang } = local(text);
  element.textContent = value;
  if (lang !== language) element.setAttribute("lang", lang);
  else element.removeAttribute("lang");
  return element;
}

// --- building the page (the DOM helpers `h` and `fill` are the shared library's) ----------

/** A paragraph holding an institution text. */
export function localParagraph(text, attrs = {}) {
  return localText(h("p", attrs), text);
}

// --- the form data -----------------------------------------------------------------------

let configPromise = null;
let formPromise = null;

/** `/config.json`: where the API is (`apiUrl`, "/api" when proxied on this origin). */
export function loadConfig() {
  if (!configPromise) {
    configPromise = fetchJson("/config.json").catch((error) => {
      configPromise = null;
      throw error;
    });
  }
  return configPromise;
}

export async function apiUrl(path) {
  const config = await loadConfig();
  const base = String(config.apiUrl || "/api").replace(/\/+$/, "");
  return base + path;
}

/** `GET /form`: questions, support resources, privacy notice and next steps. */
export function loadForm({ fresh = false } = {}) {
  if (!formPromise || fresh) {
    formPromise = apiUrl("/form")
      .then((url) => fetchJson(url, fresh ? { cache: "reload" } : {}))
      .catch((error) => {
        formPromise = null;
        throw error;
      });
  }
  return formPromise;
}

async function fetchJson(url, options = {}) {
  const controller = new AbortController();
  const timer = window.setTimeout(() => controller.abort(), 20000);
  try {
    const response = await fetch(url, {
      ...options,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      referrerPolicy: "no-referrer",
      signal: controller.signal,
    });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return await response.json();
  } finally {
    window.clearTimeout(timer);
  }
}

// --- quick exit ---------------------------------------------------------------------------

/**
 * Leave at once: forget everything this service kept in the tab (and write nothing more),
 * blank the page (so a cached copy shows nothing) and replace it, in history too, with a
 * neutral page. The form's earlier history entries hold only an id that now points nowhere.
 */
export function quickExit() {
  exiting = true;
  for (const key of Object.values(KEYS)) store.remove(key);
  memory.clear();
  document.title = "Weather";
  try {
    // The current entry's state too: nothing of the form is left in this tab's history.
    window.history.replaceState(null, "");
    document.body.replaceChildren();
  } finally {
    window.location.replace(EXIT_URL);
  }
}

/** Whether quick exit has begun: the page is being left and must change nothing. */
export function isExiting() {
  return exiting;
}

let lastEscape = 0;

function onKeyDown(event) {
  if (event.key !== "Escape" || event.repeat) return;
  const now = Date.now();
  if (now - lastEscape <= ESCAPE_TWICE_MS) {
    event.preventDefault();
    quickExit();
  }
  lastEscape = now;
}

// --- the chrome every page shares ----------------------------------------------------------

let formData = null;

/** Translate everything marked `data-i18n`, set `lang`, relabel the language switch. */
function applyChrome() {
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  const other = language === "en" ? "cy" : "en";
  for (const button of document.querySelectorAll("[data-action=language]")) {
    button.textContent = LANGUAGE_NAMES[other];
    button.setAttribute("lang", other);
  }
  if (formData) {
    for (const element of document.querySelectorAll("[data-institution-name]")) {
      localText(element, formData.institution);
    }
    renderHelp(formData);
  } else {
    renderHelp(null);
  }
}

/** The emergency contacts and a link to every support service, for the help panel. */
function renderHelp(data) {
  const body = document.querySelector("[data-help-body]");
  if (!body) return;
  const items = [h("p", { class: "help__emergency", text: t("emergencyLine") })];
  const emergency = (data?.support_resources || []).filter((r) => r.emergency);
  if (emergency.length) {
    items.push(
      h(
        "ul",
        {},
        emergency.map((resource) =>
          h(
            "li",
            {},
            localText(h("strong"), resource.name),
            resource.phone ? [": ", phoneLink(resource)] : null,
          ),
        ),
      ),
    );
  }
  items.push(h("p", {}, h("a", { href: "/report/resources.html", text: t("allSupport") })));
  body.replaceChildren(...items);
}

export function phoneLink(resource) {
  return h("a", {
    href: `tel:${resource.phone.replace(/[^0-9+]/g, "")}`,
    text: t("call", { phone: resource.phone }),
  });
}

/** One support service, as the resources page and the confirmation show it. */
export function resourceBlock(resource, headingLevel = "h3") {
  const link = safeUrl(resource.url);
  return h(
    "li",
    { class: `resource${resource.emergency ? " resource--emergency" : ""}` },
    localText(h(headingLevel), resource.name),
    localParagraph(resource.description),
    resource.phone ? h("p", {}, phoneLink(resource)) : null,
    resource.hours ? hoursLine(resource.hours) : null,
    link
      ? h("p", {}, h("a", { href: link, text: t("website", { name: local(resource.name).text }) }))
      : null,
  );
}

function hoursLine(hours) {
  const { text, lang } = local(hours);
  const value = h("span", { lang: lang !== language ? lang : null, text });
  const [before, after] = t("hours", { hours: "\u0000" }).split("\u0000");
  return h("p", {}, before, value, after);
}

/** Web links only (https); `tel:` numbers are shown as phone links instead. */
function safeUrl(url) {
  return typeof url === "string" && /^https:\/\//i.test(url) ? url : null;
}

/** Wire up the header, help panel and footer; returns once the form data is known. */
export function startChrome() {
  document.addEventListener("keydown", onKeyDown);
  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (!target) return;
    if (target.dataset.action === "quick-exit") {
      event.preventDefault();
      quickExit();
    } else if (target.dataset.action === "language") {
      setLanguage(language === "en" ? "cy" : "en");
    }
  });
  // A page restored from the back-forward cache shows what it showed when left; after a
  // quick exit it must show nothing of it, so load it afresh.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) window.location.reload();
  });
  applyChrome();
}

/** Remember the form data for the chrome (institution name, help panel). */
export function useFormData(data) {
  formData = data;
  applyChrome();
}

export function setTitle(heading, { error = false } = {}) {
  document.title = `${error ? t("errorTitlePrefix") : ""}${heading} – ${t("serviceName")}`;
}

// --- the resources, privacy and policies pages ------------------------------------------

function renderResourcesPage(main, data) {
  setTitle(t("resourcesHeading"));
  const emergency = data ? data.support_resources.filter((r) => r.emergency) : [];
  const others = data ? data.support_resources.filter((r) => !r.emergency) : [];
  fill(
    main,
    h("h1", { text: t("resourcesHeading") }),
    h("p", { class: "lead", text: t("resourcesIntro") }),
    h("h2", { text: t("emergencyHeading") }),
    h("p", { class: "warning", text: t("emergencyLine") }),
    emergency.length
      ? h(
          "ul",
          { class: "resource-list" },
          emergency.map((r) => resourceBlock(r)),
        )
      : null,
    others.length ? h("h2", { text: t("otherSupportHeading") }) : null,
    others.length
      ? h(
          "ul",
          { class: "resource-list" },
          others.map((r) => resourceBlock(r)),
        )
      : null,
    data ? null : h("p", { text: t("loadFailed") }),
    h("p", {}, h("a", { href: "/report/", text: t("backToReport") })),
  );
}

/** A section of a content page: an h2 (with an id, so it can be linked to) and its content. */
function section(id, heading, ...content) {
  return [h("h2", { id, text: heading }), ...content];
}

function bulletList(texts) {
  return h(
    "ul",
    { class: "list" },
    texts.map((text) => localText(h("li"), text)),
  );
}

/**
 * The full privacy notice. Who sees what and what is kept for how long describe what the
 * service does, so they are written here with the figures the API serves from the
 * institution's settings (never retyped); the rest is the institution's own text.
 */
function renderPrivacyPage(main, data) {
  setTitle(t("privacyPageHeading"));
  if (!data) {
    fill(
      main,
      h("h1", { text: t("privacyPageHeading") }),
      h("p", { text: t("loadFailed") }),
      h("p", {}, h("a", { href: "/report/", text: t("backToReport") })),
    );
    return;
  }
  const notice = data.privacy_notice;
  const dpo = notice.data_protection_officer;
  const { redact_named_after_months: months, delete_anonymised_after_years: years } =
    notice.retention;
  const contactLine = (label, value) => h("li", {}, label, value);
  fill(
    main,
    h("h1", { text: t("privacyPageHeading") }),
    localParagraph(notice.summary, { class: "lead" }),
    h("p", { class: "hint", text: t("privacyVersion", { version: notice.version }) }),
    section("privacy-controller", t("privacyControllerHeading"), localParagraph(notice.controller)),
    section(
      "privacy-dpo",
      t("privacyDpoHeading"),
      h("p", { text: t("privacyDpoIntro") }),
      h(
        "ul",
        { class: "list", "data-dpo": true },
        contactLine(t("privacyEmail"), h("a", { href: `mailto:${dpo.email}`, text: dpo.email })),
        dpo.phone
          ? contactLine(
              t("privacyPhone"),
              h("a", { href: `tel:${dpo.phone.replace(/[^0-9+]/g, "")}`, text: dpo.phone }),
            )
          : null,
        dpo.postal_address
          ? contactLine(t("privacyPost"), localText(h("span"), dpo.postal_address))
          : null,
      ),
    ),
    section("privacy-bases", t("privacyBasesHeading"), bulletList(notice.lawful_bases)),
    section(
      "privacy-keep",
      t("privacyKeepHeading"),
      h("p", { text: t("privacyKeepDraft") }),
      h("p", { "data-retention": "named", text: t("privacyKeepNamed", { months }) }),
      h("p", { "data-retention": "anonymised", text: t("privacyKeepAnonymised", { years }) }),
      h("p", { text: t("privacyKeepHold") }),
    ),
    section(
      "privacy-sees",
      t("privacySeesHeading"),
      h(
        "ul",
        { class: "list" },
        h("li", { text: t("privacySeesAnonymous") }),
        h("li", { text: t("privacySeesNamed") }),
        h("li", { text: t("privacySeesAboutYou") }),
        h("li", { text: t("privacySeesOthers") }),
        h("li", {
          text: t("privacySeesAnalysts", { threshold: notice.suppression_threshold }),
        }),
      ),
    ),
    section(
      "confidentiality",
      t("privacyConfidentialityHeading"),
      localParagraph(notice.confidentiality.summary),
      bulletList(notice.confidentiality.circumstances),
    ),
    section(
      "privacy-rights",
      t("privacyRightsHeading"),
      h("p", { text: t("privacyRightsList") }),
      h("p", { text: t("privacyRightsHow") }),
      h("p", { text: t("privacyRightsAnonymous") }),
    ),
    section(
      "privacy-complain",
      t("privacyComplainHeading"),
      localParagraph(notice.supervisory_authority),
    ),
    h("p", {}, h("a", { href: "/report/", text: t("backToReport") })),
  );
}

/** The institution's policies and procedures, and how to make a formal complaint. */
function renderPoliciesPage(main, data) {
  setTitle(t("policiesHeading"));
  const complaint = data?.formal_complaint;
  const complaintLink = complaint ? webOrLocalUrl(complaint.url) : null;
  fill(
    main,
    h("h1", { text: t("policiesHeading") }),
    h("p", { class: "lead", text: t("policiesIntro") }),
    data
      ? h(
          "ul",
          { class: "resource-list", "data-policies": true },
          data.policies.map((policy) => {
            const link = webOrLocalUrl(policy.url);
            return h(
              "li",
              { class: "resource" },
              h("h2", {}, localText(link ? h("a", { href: link }) : h("span"), policy.title)),
              localParagraph(policy.description),
            );
          }),
        )
      : h("p", { text: t("loadFailed") }),
    complaint
      ? section(
          "formal-complaint",
          t("policiesComplaintHeading"),
          localParagraph(complaint.text),
          complaintLink
            ? h("p", {}, localText(h("a", { href: complaintLink }), complaint.link_text))
            : null,
        )
      : null,
    h("p", { text: t("policiesDraftKept") }),
    h("p", {}, h("a", { href: "/report/", text: t("backToReport") })),
  );
}

/** A link the institution gave: a web page over https, or a page of this site. */
function webOrLocalUrl(url) {
  return typeof url === "string" && (/^https:\/\//i.test(url) || /^\/(?!\/)/.test(url))
    ? url
    : null;
}

const PAGES = {
  resources: renderResourcesPage,
  privacy: renderPrivacyPage,
  policies: renderPoliciesPage,
};

async function startContentPage(render) {
  startChrome();
  const main = document.querySelector("main");
  let data = null;
  try {
    data = await loadForm();
    useFormData(data);
  } catch {
    data = null;
  }
  render(main, data);
  // The sections exist only now: a link to one (#confidentiality) is followed by hand.
  const hash = window.location.hash.slice(1);
  const target = hash ? document.getElementById(hash) : null;
  target?.scrollIntoView();
  onLanguageChange(() => render(main, data));
}

const page = document.body.dataset.page;
if (Object.hasOwn(PAGES, page)) startContentPage(PAGES[page]);
