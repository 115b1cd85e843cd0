using System.Text;
using Gateway.Abstractions;
using Gateway.Authentication.Dmarc;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Authentication;

/// <summary>
/// DKIM-signs mail from trusted clients whose author domain (RFC5322.From) has signing keys in the policy, so
/// the signature aligns for DMARC. The signature fields are put on top of the bytes as received: signed content
/// is never re-encoded.
/// </summary>
internal static class OutboundSigning
{
    private const int MaxHeaderSection = 1024 * 1024;

    public static async Task<CheckOutcome> RunAsync(
        SenderAuthentication auth, string sessionId, IInspectableMessageWriter writer, ILogger logger, CancellationToken ct)
    {
        var headerSection = await ContentReader.ReadHeaderSectionAsync(writer, MaxHeaderSection, ct).ConfigureAwait(false);
        var author = AuthorDomainParser.Parse(headerSection);
        if (!author.IsValid)
        {
            return CheckOutcome.Accept(MessageAmendment.None);
        }

        var keys = auth.KeysFor(author.Domain!);
        if (keys.Count == 0)
        {
            return CheckOutcome.Accept(MessageAmendment.None);
        }

        var message = await ContentReader.ReadAllAsync(writer, ct).ConfigureAwait(false);
        var signatures = auth.Signer.Sign(message, keys);
        PipelineLog.Signed(logger, sessionId, author.Domain!, keys.Count);
        return CheckOutcome.Accept(new MessageAmendment { PrependHeaders = Encoding.ASCII.GetBytes(signatures) });
    }
}
