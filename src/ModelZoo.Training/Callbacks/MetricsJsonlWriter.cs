using System.Text;
using System.Text.Json;

namespace ModelZoo.Training;

/// <summary>
/// Appends one JSON object per epoch to <c>metrics.jsonl</c>: epoch, train_loss, train_acc, val_loss, val_acc,
/// val_top5, (with a model EMA) val_loss_ema and val_acc_ema, lr, seconds, images_per_second, step, rss_mb (validation fields are null without validation).
/// </summary>
public sealed class MetricsJsonlWriter : ITrainingCallback
{
    /// <summary>Writes to <paramref name="path"/> (appending, so a resumed run continues the file).</summary>
    public MetricsJsonlWriter(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = path;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>One line of JSON for <paramref name="m"/>.</summary>
    public static string Format(EpochMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("epoch", m.Epoch);
            w.WriteNumber("train_loss", m.TrainLoss);
            w.WriteNumber("train_acc", m.TrainAccuracy);
            WriteNullable(w, "val_loss", m.ValidationLoss);
            WriteNullable(w, "val_acc", m.ValidationAccuracy);
            WriteNullable(w, "val_top5", m.ValidationTop5);
            if (m.ValidationAccuracyEma is not null || m.ValidationLossEma is not null)
            {
                WriteNullable(w, "val_loss_ema", m.ValidationLossEma);
                WriteNullable(w, "val_acc_ema", m.ValidationAccuracyEma);
            }
            w.WriteNumber("lr", m.LearningRate);
            w.WriteNumber("seconds", Math.Round(m.Seconds, 3));
            w.WriteNumber("images_per_second", Math.Round(m.ImagesPerSecond, 1));
            w.WriteNumber("step", m.Step);
            w.WriteNumber("rss_mb", Math.Round(m.ResidentBytes / (1024.0 * 1024.0), 1));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <inheritdoc />
    public void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        byte[] line = Encoding.UTF8.GetBytes(Format(metrics) + "\n");
        stream.Write(line);
        stream.Flush(flushToDisk: true);
    }


    private static void WriteNullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
