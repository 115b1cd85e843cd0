using System.Globalization;
using Gateway.Abstractions;
using Gateway.Smtp.Protocol;

namespace Gateway.Smtp.Server.Sessions;

internal sealed partial class SmtpSession
{
    /// <summary>Runs one parsed command; false when the session must close after the queued replies.</summary>
    private async ValueTask<bool> ExecuteAsync(SmtpCommand command)
    {
        if (command is not BdatCommand)
        {
            // Any other command ends the run of chunks pipelined behind a failed BDAT (RFC 3030 2).
            _discardingFailedChunks = false;
        }

        if (_facts.Greeting == GreetingKind.Helo)
        {
            // HELO never offers PIPELINING, so a command with more behind it is one the client did not wait to see answered.
            NotePipelining(command.Verb);
        }

        switch (command)
        {
            case InvalidCommand invalid:
                return CountError(invalid.Reply);
            case UnknownCommand:
                return CountError(ServerReplies.UnknownCommand);
            case BdatCommand bdat:
                // BDAT checks its own sequence: its octets must be read even when it is refused (RFC 3030 2).
                return await BdatAsync(bdat);
            case StartTlsCommand:
                return await StartTlsAsync();
            case AuthCommand auth:
                return await AuthAsync(auth);
        }

        if (command.Verb == SmtpVerb.Data && _state == SmtpState.MailGiven && _transaction is { RecipientAttempts: > 0 })
        {
            // RFC 5321 3.3: every RCPT was refused; 554 says so more clearly than 503.
            return Reply(ServerReplies.NoValidRecipients);
        }

        var sequenceError = SmtpStateTable.Check(_state, command.Verb);
        if (sequenceError is not null)
        {
            return CountError(sequenceError);
        }

        return command switch
        {
            HeloCommand helo => await HeloAsync(helo),
            MailCommand mail => await MailAsync(mail),
            RcptCommand rcpt => await RcptAsync(rcpt),
            DataCommand => await DataAsync(),
            RsetCommand => await RsetAsync(),
            NoopCommand => Reply(ServerReplies.Ok),
            QuitCommand => Quit(),
            // RFC 4954 6: where policy requires authentication, commands other than AUTH, EHLO, HELO, NOOP, RSET and QUIT
            // get 530 until it is in force; of the rest, only these would answer anything about our users.
            VrfyCommand or ExpnCommand when _options.RequireAuth && !_facts.IsAuthenticated => Reply(ServerReplies.AuthRequired),
            VrfyCommand => Reply(_options.VrfyEnabled ? ServerReplies.VrfyCannotVerify : ServerReplies.VrfyDisabled),
            ExpnCommand => Reply(ServerReplies.ExpnDisabled),
            HelpCommand => Reply(ServerReplies.Help),
            _ => CountError(ServerReplies.UnknownCommand),
        };
    }

    private bool Quit()
    {
        _connection.Write(ServerReplies.Bye);
        return false;
    }

    private async ValueTask<bool> RsetAsync()
    {
        // RFC 5321 4.1.1.5: RSET clears the transaction, not the greeting.
        await ResetTransactionAsync();
        return Reply(ServerReplies.Ok);
    }

    /// <summary>HELO / EHLO (RFC 5321 4.1.1.1): both reset the transaction; only EHLO enables the extensions.</summary>
    private async ValueTask<bool> HeloAsync(HeloCommand helo)
    {
        await ResetTransactionAsync();

        // Our reply is not out yet: whatever follows the greeting was sent without waiting for it.
        NotePipelining(helo.Verb);
        var greeted = _facts with
        {
            Greeting = helo.Extended ? GreetingKind.Ehlo : GreetingKind.Helo,
            HeloName = helo.Domain,
        };

        var (ok, verdict) = await CallHandlerAsync(ct => _handler.OnHeloAsync(greeted, ct), "helo");
        if (!ok)
        {
            return Reply(ServerReplies.LocalError);
        }

        if (!verdict.IsContinue)
        {
            return Refuse(verdict);
        }

        _facts = greeted;
        _state = SmtpState.Ready;
        _connection.Write(helo.Extended ? EhloReply() : new SmtpReply(250, null, Host));
        return true;
    }

    /// <summary>The EHLO keywords (RFC 5321 4.1.1.1), in a fixed order; no enhanced code on EHLO replies (RFC 2034).</summary>
    private SmtpReply EhloReply()
    {
        var lines = new List<string>(10)
        {
            Host,
            "PIPELINING",
            "SIZE " + _options.MaxMessageSize.ToString(CultureInfo.InvariantCulture),
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
            "CHUNKING",
            "DSN",
        };

        if (StartTlsOffered)
        {
            lines.Add("STARTTLS");
        }

        if (RequireTlsOffered)
        {
            lines.Add("REQUIRETLS");
        }

        if (AuthOffered)
        {
            lines.Add("AUTH PLAIN LOGIN");
        }

        return new SmtpReply(250, null, lines);
    }
}
