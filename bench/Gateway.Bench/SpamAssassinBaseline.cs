using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Bench;

/// <summary>
/// Debian's SpamAssassin on the same split: its Bayes trained with sa-learn on the 2002 sets in a private home
/// directory, then the 2003 sets scored in one `spamassassin --mbox` process with local tests only (-L) and Bayes
/// auto-learning off, so it never learns from the held-out sets either. CPU time is the children's user+system time
/// reported by the shell that ran it.
/// </summary>
internal static partial class SpamAssassinBaseline
{
    // No learning from the messages being scored, and spam marked in place (report_safe 0) rather than wrapped in a
    // report message, so every result keeps our numbering field.
    private static readonly string[] Config = ["--cf=bayes_auto_learn 0", "--cf=use_bayes 1", "--cf=report_safe 0"];

    public static async Task<CorpusScores> RunAsync(SpamCorpus corpus)
    {
        var home = Directory.CreateTempSubdirectory("gateway-bench-sa-");
        try
        {
            var ham = Path.Combine(home.FullName, "ham.mbox");
            var spam = Path.Combine(home.FullName, "spam.mbox");
            var test = Path.Combine(home.FullName, "test.mbox");
            WriteMbox(ham, corpus.Training.Where(m => !m.IsSpam));
            WriteMbox(spam, corpus.Training.Where(m => m.IsSpam));
            WriteMbox(test, corpus.HeldOut);

            Console.Error.WriteLine("spamassassin: sa-learn on the 2002 sets ...");
            await ShellAsync(home.FullName, $"sa-learn -L --mbox --ham {ham} && sa-learn -L --mbox --spam {spam}").ConfigureAwait(false);
            Console.Error.WriteLine("spamassassin: scoring the 2003 sets ...");
            var output = Path.Combine(home.FullName, "scored.mbox");
            var times = await ShellAsync(home.FullName, $"spamassassin -L -x {string.Join(' ', Config.Select(c => $"'{c}'"))} --mbox < {test} > {output}").ConfigureAwait(false);
            var verdicts = ReadVerdicts(output);
            var scores = corpus.HeldOut.Select((m, i) => verdicts.TryGetValue(i, out var score) ? score : double.NaN).ToArray();
            if (scores.Any(double.IsNaN))
            {
                var missing = string.Join(", ", corpus.HeldOut.Where((_, i) => double.IsNaN(scores[i])).Take(5).Select(m => m.File));
                throw new InvalidOperationException($"spamassassin returned {verdicts.Count} of {scores.Length} messages; missing {missing}");
            }

            return new CorpusScores(corpus.HeldOut, scores, times * 1000 / scores.Length);
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    /// <summary>mbox with a numbering field so that verdicts are matched to messages, and ">From " quoting.</summary>
    private static void WriteMbox(string path, IEnumerable<CorpusMessage> messages)
    {
        using var writer = new StreamWriter(path, false, Encoding.Latin1);
        var i = 0;
        foreach (var message in messages)
        {
            writer.Write("From bench@localhost Thu Jan  1 00:00:00 2004\n");
            writer.Write(FormattableString.Invariant($"X-Bench-Id: {i++}\n"));
            foreach (var line in Encoding.Latin1.GetString(message.Bytes).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n'))
            {
                writer.Write(line.StartsWith("From ", StringComparison.Ordinal) ? ">" + line : line);
                writer.Write('\n');
            }

            // mbox: an empty line before the next separator.
            writer.Write('\n');
        }
    }

    private static Dictionary<int, double> ReadVerdicts(string path)
    {
        // SpamAssassin puts its fields at the top, above our numbering field: both are collected per message.
        var verdicts = new Dictionary<int, double>();
        var (id, score, inHeader) = (-1, double.NaN, false);
        foreach (var line in File.ReadLines(path, Encoding.Latin1).Append("From end"))
        {
            if (line.StartsWith("From ", StringComparison.Ordinal))
            {
                if (id >= 0 && !double.IsNaN(score))
                {
                    verdicts[id] = score;
                }

                (id, score, inHeader) = (-1, double.NaN, true);
            }
            else if (line.Length == 0)
            {
                inHeader = false;
            }
            else if (inHeader && line.StartsWith("X-Bench-Id: ", StringComparison.Ordinal))
            {
                id = int.Parse(line.AsSpan(12), CultureInfo.InvariantCulture);
            }
            else if (inHeader && double.IsNaN(score) && StatusScore().Match(line) is { Success: true } match)
            {
                score = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            }
        }

        return verdicts;
    }

    /// <summary>Runs a command line in bash with HOME in the scratch directory; returns the children's CPU seconds.</summary>
    private static async Task<double> ShellAsync(string home, string command)
    {
        var info = new ProcessStartInfo("bash", ["-c", command + "\ntimes"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["HOME"] = home;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{command}` exited with {process.ExitCode}: {await stderr.ConfigureAwait(false)}");
        }

        // `times` prints the shell's own times, then its children's: "0m12.345s 0m0.678s".
        var lines = (await stdout.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return TimesLine().Matches(lines[^1]).Sum(m =>
            (double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 60) + double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^X-Spam-Status: \w+, score=(-?[0-9.]+)")]
    private static partial Regex StatusScore();

    [GeneratedRegex(@"(\d+)m([0-9.]+)s")]
    private static partial Regex TimesLine();
}
