using System.Diagnostics;

namespace ModelZoo.Training;

/// <summary>
/// What the loop counts within a <see cref="Trainer.Fit"/> call: the position and sums of the epoch in progress (so an
/// interruption can be written to <c>last</c> and resumed exactly), and the timing of the epoch.
/// </summary>
internal sealed class RunState
{
    public RunState(CheckpointHeader? resumed)
    {
        if (resumed is null) return;
        SkipBatches = resumed.BatchInEpoch;
        LossSum = resumed.PartialLossSum;
        Correct = resumed.PartialCorrect;
        Samples = resumed.PartialSamples;
        CarriedSeconds = resumed.PartialSeconds;
    }

    /// <summary>Batches of the epoch a resumed run skips (trained before the interruption).</summary>
    public int SkipBatches;

    /// <summary>Batches of the current epoch done (at the last whole optimiser step).</summary>
    public int BatchesDone;

    /// <summary>The step at which the device sums were last read (a read is not repeated at the same step).</summary>
    public long ReadAtStep = -1;

    /// <summary>Sum of loss x samples of the epoch so far, as last read from the device.</summary>
    public double LossSum;

    /// <summary>Correct predictions of the epoch so far, as last read.</summary>
    public long Correct;

    /// <summary>Samples of the epoch so far (at the last whole step).</summary>
    public long Samples;

    /// <summary>Samples trained in this <see cref="Trainer.Fit"/> call during the epoch (for images per second).</summary>
    public long SamplesThisCall;

    /// <summary>Samples of the optimiser step in progress.</summary>
    public long StepSamples;

    /// <summary>Wall time of the epoch's training phase.</summary>
    public double TrainSeconds;

    /// <summary>Seconds of the epoch spent before an interruption (a resumed run adds them).</summary>
    public double CarriedSeconds;

    /// <summary>The epoch's clock.</summary>
    public Stopwatch EpochWatch { get; } = new();

    /// <summary>Forgets the finished epoch's sums.</summary>
    public void ResetEpoch()
    {
        LossSum = 0;
        Correct = 0;
        Samples = 0;
        SamplesThisCall = 0;
        TrainSeconds = 0;
        CarriedSeconds = 0;
    }
}
