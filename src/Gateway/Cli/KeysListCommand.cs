using System.Globalization;
using System.Text.Json;
using Gateway.Smime.Vault;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway keys list [--json]`: every escrowed key with its certificate (identity, kind, algorithm, subject,
/// serial, expiry, SHA-256 fingerprint). Reads certificates only, so it works while the vault is sealed.
/// </summary>
internal static class KeysListCommand
{
    public static Task<int> ExecuteAsync(CommandLine command) => CliVault.RunAsync(command, async (_, vault, cancellationToken) =>
    {
        var rows = new List<Row>();
        foreach (var entry in await vault.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(await RowAsync(vault, entry, cancellationToken).ConfigureAwait(false));
        }

        if (command.Flag("--json"))
        {
            await PrintJsonAsync(Console.OpenStandardOutput(), rows, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await PrintAsync(Console.Out, rows).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    });

    /// <summary>The entry with its certificate's serial number, read from its chain.</summary>
    internal static async Task<Row> RowAsync(KeyVault vault, VaultEntryInfo entry, CancellationToken cancellationToken)
    {
        var chain = await vault.FindCertificateChainAsync(entry.Identity, cancellationToken).ConfigureAwait(false);
        try
        {
            return new Row(entry, chain is { Count: > 0 } ? chain[0].SerialNumber : null);
        }
        finally
        {
            foreach (var certificate in chain ?? [])
            {
                certificate.Dispose();
            }
        }
    }

    internal static async Task PrintAsync(TextWriter output, IReadOnlyList<Row> rows)
    {
        await output.WriteLineAsync($"{"IDENTITY",-32} {"KIND",-6} {"ALGORITHM",-10} {"NOT AFTER",-20} {"SERIAL",-40} {"SHA-256",-64} SUBJECT").ConfigureAwait(false);
        foreach (var row in rows)
        {
            var entry = row.Entry;
            await output.WriteLineAsync($"{entry.Identity.Name,-32} {Kind(entry),-6} {entry.KeyAlgorithm,-10} {Time(entry.NotAfter),-20} {row.Serial ?? "-",-40} {entry.Sha256Thumbprint,-64} {entry.Subject}").ConfigureAwait(false);
        }
    }

    private static async Task PrintJsonAsync(Stream output, IReadOnlyList<Row> rows, CancellationToken cancellationToken)
    {
        await using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        writer.WriteStartArray();
        foreach (var row in rows)
        {
            var entry = row.Entry;
            writer.WriteStartObject();
            writer.WriteString("identity", entry.Identity.Name);
            writer.WriteString("kind", Kind(entry));
            writer.WriteString("algorithm", entry.KeyAlgorithm);
            writer.WriteString("subject", entry.Subject);
            writer.WriteString("serial", row.Serial);
            writer.WriteString("not_before", Time(entry.NotBefore));
            writer.WriteString("not_after", Time(entry.NotAfter));
            writer.WriteString("sha256", entry.Sha256Thumbprint);
            writer.WriteString("origin", entry.Origin);
            writer.WriteString("created", Time(entry.Created));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    private static string Kind(VaultEntryInfo entry) => entry.Identity.Kind == VaultIdentityKind.User ? "user" : "domain";

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>One listed key: the entry and its certificate's serial number (hex), when the chain has a leaf.</summary>
    internal sealed record Row(VaultEntryInfo Entry, string? Serial);
}
