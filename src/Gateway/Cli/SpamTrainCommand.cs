using System.Globalization;
using Gateway.Spam.Classifier;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway spam train --ham DIR --spam DIR [--model FILE]`: teaches the content classifier from two folders of
/// messages, one message per file (maildir folders, or files saved from a mail client; a leading mbox "From " line
/// is ignored). An existing model file is extended, not replaced, so training is incremental; the file is written
/// whole and renamed into place, so a running gateway never reads half of it. The gateway picks the new model up
/// at its next policy reload.
/// </summary>
internal static class SpamTrainCommand
{
    public const string DefaultModel = "spam.model";

    // A training message larger than this is an attachment dump, not evidence; the scorer reads no more either.
    private const long MaxMessageBytes = 10 * 1024 * 1024;

    public static async Task<int> ExecuteAsync(CommandLine command)
    {
        var ham = command.Option("--ham")!;
        var spam = command.Option("--spam")!;
        foreach (var directory in (string[])[ham, spam])
        {
            if (!Directory.Exists(directory))
            {
                await Console.Error.WriteLineAsync($"gateway: '{directory}' is not a directory").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
        }

        var path = Path.GetFullPath(command.Option("--model") ?? DefaultModel);
        SpamModel model;
        try
        {
            model = File.Exists(path) ? SpamModelFile.Load(path) : new SpamModel();
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"gateway: cannot read the model '{path}': {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var (hamMessages, hamSkipped) = await ReadAsync(ham, isSpam: false).ConfigureAwait(false);
        var (spamMessages, spamSkipped) = await ReadAsync(spam, isSpam: true).ConfigureAwait(false);
        model.Train([.. hamMessages, .. spamMessages]);
        SpamModelFile.Save(model, path);
        var (hamLearned, spamLearned) = (hamMessages.Count, spamMessages.Count);
        await Console.Out.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"learned {hamLearned} ham and {spamLearned} spam messages (skipped {hamSkipped + spamSkipped}); model {path}: {model.HamMessages} ham, {model.SpamMessages} spam, {model.FeatureCount} features")).ConfigureAwait(false);
        return hamLearned + spamLearned > 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }

    private static async Task<(List<(ReadOnlyMemory<byte>, bool)> Messages, int Skipped)> ReadAsync(string directory, bool isSpam)
    {
        var messages = new List<(ReadOnlyMemory<byte>, bool)>();
        var skipped = 0;
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            if (info.Length is 0 or > MaxMessageBytes || info.Name.StartsWith('.'))
            {
                skipped++;
                continue;
            }

            messages.Add((await File.ReadAllBytesAsync(file).ConfigureAwait(false), isSpam));
        }

        return (messages, skipped);
    }
}
