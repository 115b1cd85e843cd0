using System.Text;
using Gateway.Smime.Cms;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Steps.Smime;

/// <summary>
/// Verifies S/MIME signatures on inbound mail (detached and opaque), after decryption so signed-then-encrypted
/// mail is checked over what it signed, and reports the result as an Authentication-Results "smime" method
/// (RFC 7281) naming the signer. The field covers only the signed part: when the signature covers less than the
/// whole body (a signed message wrapped into a multipart of someone else's, "signature wrapping") it names that part
/// and says the rest is unsigned. Valid signers' certificates are kept, so replies to them can be encrypted.
/// </summary>
internal sealed class SmimeVerifyStep(string authservId, SmimeVerifier verifier, SmimeServices services, ILogger logger) : IMessageStep
{
    public string Name => "smime-verify";

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        if (!message.Message.HasBody)
        {
            return StepVerdict.Continue;
        }

        SmimeVerifyResult result;
        var content = await message.Message.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            result = await verifier.VerifyAsync(content, cancellationToken).ConfigureAwait(false);
        }

        if (result.Status == SmimeVerifyStatus.NotSigned)
        {
            return StepVerdict.Continue;
        }

        var field = ResultField(result);
        SmimeLog.Verified(logger, message.Session.SessionId, message.Message.QueueId, result.Detail is null ? field : field + " (" + result.Detail + ")");
        if (result.Status == SmimeVerifyStatus.Valid && services.Harvest is { } harvest)
        {
            foreach (var certificate in result.HarvestedCertificates)
            {
                try
                {
                    await harvest(certificate, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
                {
                    // Keeping a certificate is a convenience; the message goes on either way.
                    SmimeLog.HarvestFailed(logger, message.Session.SessionId, message.Message.QueueId, ex);
                }
            }
        }

        return new StepVerdict { Fields = "Authentication-Results: " + field + "\r\n", Reason = field };
    }

    /// <summary>"authserv-id; smime=pass body.smime-identifier=... [body.smime-part=2 (...)]", folded per property.</summary>
    private string ResultField(SmimeVerifyResult result)
    {
        var verdict = result.Status switch
        {
            SmimeVerifyStatus.Valid => "pass",
            SmimeVerifyStatus.BadSignature => "fail",
            SmimeVerifyStatus.Untrusted => "policy",
            _ => "permerror",
        };
        var text = new StringBuilder(authservId).Append(";\r\n\tsmime=").Append(verdict);
        var signer = result.SignerResults.FirstOrDefault(s => s.IsValid) ?? (result.SignerResults.Count > 0 ? result.SignerResults[0] : null);
        if (signer is not null)
        {
            var identifier = SignerAddress(signer);
            if (identifier is not null)
            {
                text.Append("\r\n\tbody.smime-identifier=").Append(identifier);
            }

            text.Append("\r\n\tbody.smime-serial=").Append(signer.Certificate.SerialNumber.ToString(16).ToUpperInvariant())
                .Append("\r\n\tbody.smime-issuer=").Append(Quoted(signer.Certificate.IssuerDN.ToString()));
            if (result.Status == SmimeVerifyStatus.Untrusted)
            {
                text.Append(" (").Append(Comment(UntrustedWhy(signer))).Append(')');
            }
        }

        if (result.SignedPartPath is { Length: > 0 } part)
        {
            text.Append("\r\n\tbody.smime-part=").Append(part).Append(" (only this part is signed; the rest of the message is not)");
        }

        return text.ToString();
    }

    private static string? SignerAddress(SmimeSignerResult signer)
    {
        foreach (var name in signer.Certificate.GetSubjectAlternativeNames() ?? [])
        {
            if (name is [int tag, string value, ..] && tag == 1)
            {
                return Quoted(value);
            }
        }

        return null;
    }

    private static string UntrustedWhy(SmimeSignerResult signer) =>
        signer.ChainStatus != SmimeChainStatus.Trusted ? "certificate " + signer.ChainStatus.ToString().ToLowerInvariant()
        : !signer.EmailProtection ? "certificate not for email"
        : !signer.MatchesFrom ? "signer is not the From address"
        : "signing time outside the certificate's validity";

    private static string Quoted(string value)
    {
        var clean = new string(value.Where(c => c >= 0x20 && c != 0x7F).ToArray());
        return clean.All(c => char.IsAsciiLetterOrDigit(c) || "@.-_+".Contains(c, StringComparison.Ordinal)) && clean.Length > 0
            ? clean
            : "\"" + clean.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    private static string Comment(string value) => new(value.Where(c => c is >= ' ' and not '(' and not ')' and not '\\' and < (char)0x7F).ToArray());
}
