using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>Writes per-epoch scalars (loss/train, loss/val, accuracy/train, accuracy/val, accuracy/val_top5, lr) as TensorBoard event files with TorchSharp's <c>SummaryWriter</c>.</summary>
public sealed class TensorBoardCallback : ITrainingCallback, IDisposable
{
    private readonly string _logDir;
    private SummaryWriter? _writer;

    /// <summary>Writes event files under <paramref name="logDir"/>.</summary>
    public TensorBoardCallback(string logDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logDir);
        _logDir = logDir;
    }

    /// <inheritdoc />
    public void OnTrainingStart(Trainer trainer)
    {
        Directory.CreateDirectory(_logDir);
        _writer = utils.tensorboard.SummaryWriter(_logDir, createRunName: false);
    }

    /// <inheritdoc />
    public void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (_writer is null) return;
        int step = metrics.Epoch;
        _writer.add_scalar("loss/train", (float)metrics.TrainLoss, step);
        _writer.add_scalar("accuracy/train", (float)metrics.TrainAccuracy, step);
        if (metrics.ValidationLoss is double vl) _writer.add_scalar("loss/val", (float)vl, step);
        if (metrics.ValidationAccuracy is double va) _writer.add_scalar("accuracy/val", (float)va, step);
        if (metrics.ValidationTop5 is double v5) _writer.add_scalar("accuracy/val_top5", (float)v5, step);
        _writer.add_scalar("lr", (float)metrics.LearningRate, step);
        _writer.add_scalar("images_per_second", (float)metrics.ImagesPerSecond, step);
    }


    /// <inheritdoc />
    public void Dispose()
    {
        (_writer as IDisposable)?.Dispose();
        _writer = null;
    }
}
