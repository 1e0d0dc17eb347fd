namespace ModelZoo.Training;

/// <summary>A progress report from the training or evaluation loop.</summary>
/// <param name="Phase">"train" or "val".</param>
/// <param name="Epoch">Epoch, 1-based.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches in this epoch.</param>
/// <param name="Step">Global optimiser step.</param>
/// <param name="Loss">Mean loss so far in this epoch.</param>
/// <param name="Accuracy">Top-1 accuracy so far in this epoch, in [0, 1].</param>
/// <param name="LearningRate">Current learning rate.</param>
/// <param name="ImagesPerSecond">Throughput so far in this epoch.</param>
/// <param name="Eta">Estimated time left in this epoch.</param>
public sealed record TrainingProgress(
    string Phase,
    int Epoch,
    int Epochs,
    int Batch,
    int Batches,
    long Step,
    double Loss,
    double Accuracy,
    double LearningRate,
    double ImagesPerSecond,
    TimeSpan Eta);
