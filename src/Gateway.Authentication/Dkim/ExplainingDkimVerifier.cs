using MimeKit;
using MimeKit.Cryptography;

namespace Gateway.Authentication.Dkim;

/// <summary>MimeKit's verifier, plus access to its body-hash check so a failure can say which part failed.</summary>
internal sealed class ExplainingDkimVerifier(IDkimPublicKeyLocator locator) : DkimVerifier(locator)
{
    public static bool BodyHashMatches(FormatOptions options, MimeMessage message, DkimSignatureAlgorithm algorithm,
        DkimCanonicalizationAlgorithm canonicalization, int maxLength, string bodyHash) =>
        VerifyBodyHash(options, message, algorithm, canonicalization, maxLength, bodyHash);
}
