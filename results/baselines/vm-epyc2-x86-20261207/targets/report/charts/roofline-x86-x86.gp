# roofline: x86, backend x86
# Written by hybench report.  Re-plot: cd into this folder, gnuplot roofline-x86-x86.gp
set terminal svg size 820,460 noenhanced font 'Helvetica,12' background rgb 'white'
set output 'roofline-x86-x86.svg'
set datafile separator '\t'
set datafile missing 'NaN'
set grid lc rgb '#d8d8d8'
set border lc rgb '#555555'
set key below left Left reverse samplen 2 spacing 1.1 maxrows 6
set title "roofline: x86, backend x86"
set logscale xy
set xlabel 'arithmetic intensity (FLOP/byte)'
set ylabel 'GFLOP/s'
set format x '%g'
set format y '%g'
set xrange [0.178228:1377.01]
set yrange [4.14592:504.275]
set samples 400
peak = 201.71
dram = 38.9021
l2 = 174.021
l1 = 203.444
roof(x, bw) = (x * bw < peak) ? x * bw : peak
set label 1 sprintf('compute %.4g GFLOP/s', peak) at graph 0.02, first peak * 1.25 tc rgb '#333333'
plot roof(x, dram) with lines lw 2.5 lc rgb '#222222' title sprintf('DRAM %.3g GB/s', dram), \
  roof(x, l2) with lines lw 1.5 dt 2 lc rgb '#777777' title sprintf('L2 %.3g GB/s', l2), \
  roof(x, l1) with lines lw 1.5 dt 3 lc rgb '#aaaaaa' title sprintf('L1 %.3g GB/s', l1), \
  'roofline-x86-x86.dat' index 0 using 1:2 with points pt 5 ps 1.3 lc rgb '#1f77b4' title "linear", \
  'roofline-x86-x86.dat' index 1 using 1:2 with points pt 7 ps 1.3 lc rgb '#d62728' title "conv1d", \
  'roofline-x86-x86.dat' index 2 using 1:2 with points pt 9 ps 1.3 lc rgb '#2ca02c' title "scan", \
  'roofline-x86-x86.dat' index 3 using 1:2 with points pt 11 ps 1.3 lc rgb '#ff7f0e' title "attention", \
  'roofline-x86-x86.dat' index 4 using 1:2 with points pt 5 ps 1.3 lc rgb '#9467bd' title "moe"
