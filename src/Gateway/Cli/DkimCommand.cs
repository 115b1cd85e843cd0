using System.Globalization;
using Gateway.Authentication.Dkim;
using Gateway.Syntax;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway dkim keygen --domain D --selector S`: creates a signing key, writes it where the policy's
/// `authentication.dkim.sign[].key` can name it (owner-only permissions, never overwriting a key), and prints
/// the TXT record to publish at S._domainkey.D.
/// </summary>
internal static class DkimCommand
{
    // RFC 8301 3.2: signers MUST use RSA keys of at least 1024 bits and SHOULD use at least 2048.
    private const int MinRsaBits = 1024;
    private const int MaxRsaBits = 4096;

    public static async Task<int> ExecuteAsync(CommandLine command)
    {
        if (!TryCanonicalizeNames(command.Option("--domain")!.Trim(), command.Option("--selector")!.Trim(), out var domain, out var selector))
        {
            await Console.Error.WriteLineAsync("gateway: --domain and --selector must be DNS names (letters, digits, '-', dots)").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var algorithm = command.Option("--algorithm") ?? "rsa";
        var bitsText = command.Option("--bits");
        var bits = 2048;
        if (bitsText is not null && (!int.TryParse(bitsText, NumberStyles.None, CultureInfo.InvariantCulture, out bits) || bits is < MinRsaBits or > MaxRsaBits))
        {
            await Console.Error.WriteLineAsync($"gateway: --bits must be {MinRsaBits}..{MaxRsaBits}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        DkimGeneratedKey key;
        switch (algorithm)
        {
            case "rsa" or "rsa-sha256":
                key = DkimKeyGenerator.GenerateRsa(bits);
                break;
            case "ed25519" or "ed25519-sha256":
                if (bitsText is not null)
                {
                    await Console.Error.WriteLineAsync("gateway: --bits only applies to RSA keys").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                key = DkimKeyGenerator.GenerateEd25519();
                break;
            default:
                await Console.Error.WriteLineAsync($"gateway: unknown --algorithm '{algorithm}' (rsa or ed25519)").ConfigureAwait(false);
                return ExitCodes.Usage;
        }

        var path = Path.GetFullPath(command.Option("--out") ?? $"{domain}.{selector}.pem");
        try
        {
            // CreateNew: an existing key is never overwritten (it may be the one DNS publishes).
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                // A private key is for the gateway's user alone.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using var file = new FileStream(path, options);
            await using var writer = new StreamWriter(file);
            await writer.WriteAsync(key.PrivateKeyPem).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"gateway: cannot write {path}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (UnauthorizedAccessException ex)
        {
            await Console.Error.WriteLineAsync($"gateway: cannot write {path}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await Console.Out.WriteLineAsync($"; private key written to {path}").ConfigureAwait(false);
        await Console.Out.WriteLineAsync($"; policy: authentication.dkim.sign: - {{ domain: {domain}, selector: {selector}, key: {path} }}").ConfigureAwait(false);
        await Console.Out.WriteLineAsync($"{selector}._domainkey.{domain}. IN TXT {key.ToZoneFileText()}").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The domain and selector in the canonical form the policy's authentication.dkim.sign[] keeps (A-labels,
    /// lower case; the selector labels of a-z, 0-9 and '-'), so the printed record and policy line match what
    /// the policy loader accepts.
    /// </summary>
    internal static bool TryCanonicalizeNames(string domainText, string selectorText, out string domain, out string selector)
    {
        var domainError = DomainName.TryCanonicalize(domainText, DomainNameOptions.AllowUnicode | DomainNameOptions.AllowTrailingDot, out domain);
        var selectorError = DomainName.TryCanonicalize(selectorText, DomainNameOptions.Relative, out selector);
        return domainError == DomainNameError.None && selectorError == DomainNameError.None;
    }
}
