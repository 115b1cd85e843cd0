using Gateway.Host.MtaSts;
using Gateway.Syntax;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway mta-sts records --domain D`: the DNS records to publish for our MTA-STS policy (RFC 8461 3.1) and
/// TLS reporting address (RFC 8460 3), and the policy text served for D. The id follows the policy text, so
/// after a policy change the command prints the record with its new id.
/// </summary>
internal static class MtaStsCommand
{
    public static async Task<int> ExecuteAsync(CommandLine command)
    {
        if (await CliPolicy.LoadAsync(command).ConfigureAwait(false) is not { } policy)
        {
            return ExitCodes.Failure;
        }

        var text = command.Option("--domain")!.Trim().TrimEnd('.');
        if (DomainName.TryCanonicalize(text, DomainNameOptions.None, out var domain) != DomainNameError.None)
        {
            await Console.Error.WriteLineAsync($"gateway: --domain '{text}' is not a domain name").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        if (!policy.Domains.Contains(domain, StringComparer.Ordinal))
        {
            await Console.Error.WriteLineAsync($"gateway: {domain} is not one of our domains (domains: in the policy)").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var published = PublishedMtaStsPolicy.For(policy);
        foreach (var record in published.Records(policy, domain))
        {
            await Console.Out.WriteLineAsync(record).ConfigureAwait(false);
        }

        if (policy.MtaSts.ReportTo is null)
        {
            await Console.Out.WriteLineAsync("; no _smtp._tls record: mta_sts.report_to is not set").ConfigureAwait(false);
        }

        await Console.Out.WriteLineAsync($"; mta-sts.{domain} must resolve to this gateway and have a certificate for that name.").ConfigureAwait(false);
        var served = policy.MtaSts.Listen is { } listen ? $"served on {listen}" : "not served: mta_sts.listen is not set";
        await Console.Out.WriteLineAsync($"; https://mta-sts.{domain}{MtaStsEndpoints.WellKnownPath} ({served}):").ConfigureAwait(false);
        foreach (var line in published.Text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            await Console.Out.WriteLineAsync(";   " + line).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }
}
