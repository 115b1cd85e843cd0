using System.Globalization;
using Gateway.Spam.Classifier;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway spam train [--ham DIR] [--spam DIR] [--model FILE]`: teaches the content classifier from a folder of
/// wanted mail, a folder of spam, or both, one message per file (maildir folders, or files saved from a mail client;
/// a leading mbox "From " line is ignored). An existing model file is extended, not replaced, so training is
/// incremental (the ham that `quarantine release --learn` keeps can be taught on its own); the file is written
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
        var ham = command.Option("--ham");
        var spam = command.Option("--spam");
        if (ham is null && spam is null)
        {
            await Console.Error.WriteLineAsync("gateway: spam train needs --ham DIR, --spam DIR or both").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        foreach (var directory in new[] { ham, spam }.OfType<string>())
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

        if (model.IsOutdated)
        {
            // Extending it would mix two numberings of the same features in one file.
            await Console.Error.WriteLineAsync($"gateway: the model '{path}' was written by an older gateway (file version {model.FileVersion}) and cannot be extended: train a new model into another file (or remove this one) from the same folders").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var (hamMessages, hamSkipped) = ham is null ? ([], 0) : List(ham);
        var (spamMessages, spamSkipped) = spam is null ? ([], 0) : List(spam);

        // Read one file at a time as training goes: the model keeps each message's features, never its bytes, so a
        // large maildir does not have to fit in memory.
        try
        {
            var messages = hamMessages.Select(f => Read(f, isSpam: false)).Concat(spamMessages.Select(f => Read(f, isSpam: true)));
            if (ham is not null && spam is not null)
            {
                model.Train(messages);
            }
            else
            {
                // One kind alone: one online step per message, as a released quarantine item is learned. Repeated
                // sweeps over a single class would push every weight toward it.
                foreach (var (message, isSpam) in messages)
                {
                    model.Learn(message, isSpam);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Nothing is saved: the model file stays as it was.
            await Console.Error.WriteLineAsync($"gateway: cannot read a training message: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        SpamModelFile.Save(model, path);
        var (hamLearned, spamLearned) = (hamMessages.Count, spamMessages.Count);
        await Console.Out.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"learned {hamLearned} ham and {spamLearned} spam messages (skipped {hamSkipped + spamSkipped}); model {path}: {model.HamMessages} ham, {model.SpamMessages} spam, {model.FeatureCount} features")).ConfigureAwait(false);
        return hamLearned + spamLearned > 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }

    private static (List<string> Files, int Skipped) List(string directory)
    {
        var files = new List<string>();
        var skipped = 0;
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            if (info.Length is 0 or > MaxMessageBytes || info.Name.StartsWith('.'))
            {
                skipped++;
                continue;
            }

            files.Add(file);
        }

        return (files, skipped);
    }

    private static (ReadOnlyMemory<byte> Message, bool IsSpam) Read(string file, bool isSpam) => (File.ReadAllBytes(file), isSpam);
}
