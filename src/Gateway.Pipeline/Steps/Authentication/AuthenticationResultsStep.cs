using Gateway.Abstractions;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Results;
using Gateway.Authentication.Spf;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Steps.Authentication;

/// <summary>
/// RFC 8601: one Authentication-Results field with our authserv-id and every result the steps before found, and
/// every field of the client's that claims our authserv-id left out (RFC 8601 5: a forged one would be trusted by
/// the servers behind us).
/// </summary>
internal sealed class AuthenticationResultsStep(string authservId, ILogger logger) : IMessageStep
{
    public string Name => "authentication-results";

    public ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var state = message.Authentication;
        var results = new AuthenticationResultsBuilder(authservId);
        if (state.Spf is { } spf)
        {
            results.AddSpf(spf.Result, spf.Identity == SpfCheck.MailFromIdentity ? spf.Sender : null, message.Session.HeloName, spf.Problem);
        }

        if (state.Dkim is { } dkim)
        {
            if (dkim.Count == 0)
            {
                results.AddDkim(DkimResult.None, null);
            }

            foreach (var signature in dkim)
            {
                results.AddDkim(signature.Result, signature.Domain, signature.Selector, signature.HeaderB, signature.Reason);
            }
        }

        if (state.Arc is { } arc)
        {
            results.AddArc(arc.Result.ToString().ToLowerInvariant(), arc.Reason);
        }

        if (state.Dmarc is { } dmarc)
        {
            results.AddDmarc(dmarc);
        }

        var value = results.BuildValue();
        state.ResultsValue = value;
        PipelineLog.AuthenticationResults(logger, message.Session.SessionId, value);

        var section = message.Message.HeaderSection;
        var removals = new List<ContentRange>();
        foreach (var range in AuthenticationResultsScanner.FindOwnFields(section.Span, authservId))
        {
            var (offset, length) = range.GetOffsetAndLength(section.Length);
            removals.Add(new ContentRange(offset, length));
        }

        return ValueTask.FromResult(new StepVerdict
        {
            Fields = AuthenticationResultsBuilder.FieldName + ": " + value + "\r\n",
            Removals = removals,
        });
    }
}
