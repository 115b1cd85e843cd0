using System.Collections.Frozen;
using System.Collections.Immutable;
using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol;

/// <summary>
/// Which command may come in which state (STYLE habit 2: a table, not nested ifs). Each row is a verb, each
/// column a state in <see cref="SmtpState"/> order; null means allowed, otherwise the 503 reply to send.
/// Transitions are the session's business (it knows whether a command succeeded).
/// </summary>
public static class SmtpStateTable
{
    private static SmtpReply? Allowed => null;

    // Shorthands so the table reads as a grid.
    private static SmtpReply Helo => SmtpReplies.SendHeloFirst;

    private static SmtpReply Mail => SmtpReplies.NeedMail;

    private static SmtpReply Rcpt => SmtpReplies.NeedRcpt;

    private static SmtpReply Nested => SmtpReplies.NestedMail;

    private static SmtpReply InTx => SmtpReplies.NotInTransaction;

    private static SmtpReply Bdat => SmtpReplies.BdatInProgress;

    private static readonly FrozenDictionary<SmtpVerb, ImmutableArray<SmtpReply?>> Table = new Dictionary<SmtpVerb, ImmutableArray<SmtpReply?>>
    {
        //                                   Connected  Ready     MailGiven  RecipientGiven  Chunking
        // RFC 5321 4.1.4: NOOP, QUIT and RSET may be issued at any time.
        [SmtpVerb.Noop] = [Allowed, Allowed, Allowed, Allowed, Allowed],
        [SmtpVerb.Quit] = [Allowed, Allowed, Allowed, Allowed, Allowed],
        [SmtpVerb.Rset] = [Allowed, Allowed, Allowed, Allowed, Allowed],

        // RFC 5321 4.1.4: HELP, VRFY, EXPN any time; RFC 3030 2: not between BDAT chunks.
        [SmtpVerb.Help] = [Allowed, Allowed, Allowed, Allowed, Bdat],
        [SmtpVerb.Vrfy] = [Allowed, Allowed, Allowed, Allowed, Bdat],
        [SmtpVerb.Expn] = [Allowed, Allowed, Allowed, Allowed, Bdat],

        // RFC 5321 4.1.4: a new HELO/EHLO resets the transaction (the session does that).
        [SmtpVerb.Helo] = [Allowed, Allowed, Allowed, Allowed, Bdat],
        [SmtpVerb.Ehlo] = [Allowed, Allowed, Allowed, Allowed, Bdat],

        // RFC 5321 3.3 / 4.1.4: MAIL opens a transaction after the greeting, never inside one.
        [SmtpVerb.Mail] = [Helo, Allowed, Nested, Nested, Bdat],
        [SmtpVerb.Rcpt] = [Helo, Mail, Allowed, Allowed, Bdat],

        // RFC 5321 3.3: DATA needs an accepted recipient; RFC 3030 2: no DATA after BDAT.
        [SmtpVerb.Data] = [Helo, Mail, Rcpt, Allowed, Bdat],
        [SmtpVerb.Bdat] = [Helo, Mail, Rcpt, Allowed, Allowed],

        // RFC 3207 4 / RFC 4954 4: after EHLO, outside a transaction.
        [SmtpVerb.StartTls] = [Helo, Allowed, InTx, InTx, Bdat],
        [SmtpVerb.Auth] = [Helo, Allowed, InTx, InTx, Bdat],

        // Unknown verbs get their 500 from the parser, whatever the state.
        [SmtpVerb.Unknown] = [Allowed, Allowed, Allowed, Allowed, Allowed],
    }.ToFrozenDictionary();

    /// <summary>Null when <paramref name="verb"/> is allowed in <paramref name="state"/>; otherwise the 503 reply.</summary>
    public static SmtpReply? Check(SmtpState state, SmtpVerb verb) =>
        Table.TryGetValue(verb, out var row) && (uint)state < (uint)row.Length
            ? row[(int)state]
            : SmtpReplies.BadSequence;
}
