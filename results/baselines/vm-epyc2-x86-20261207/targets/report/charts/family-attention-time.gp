# attention: time per call against sequence length
# Written by hybench report.  Re-plot: cd into this folder, gnuplot family-attention-time.gp
set terminal svg size 820,460 noenhanced font 'Helvetica,12' background rgb 'white'
set output 'family-attention-time.svg'
set datafile separator '\t'
set datafile missing 'NaN'
set grid lc rgb '#d8d8d8'
set border lc rgb '#555555'
set key below left Left reverse samplen 2 spacing 1.1 maxrows 6
set title "attention: time per call against sequence length"
set logscale xy
set xlabel 'sequence length (prefill tokens / decode context)'
set ylabel 'time per call (ms)'
set format y '%g'
set format x '%g'
set autoscale xfix
set offsets graph 0.06, graph 0.06, 0, 0
set xtics (2048, 16385)
plot \
  'family-attention-time.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 5 ps 0.8 dt 1 lc rgb '#1f77b4' title "x86  x86/decode-avx2  prefill"  , \
'family-attention-time.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 pt 5 ps 0.8 dt 2 lc rgb '#1f77b4' title "x86  x86/decode-avx2  decode"  , \
'family-attention-time.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 pt 5 ps 0.8 dt 1 lc rgb '#d62728' title "x86  x86/flash-avx2  prefill"  , \
'family-attention-time.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 pt 5 ps 0.8 dt 2 lc rgb '#d62728' title "x86  x86/flash-avx2  decode"  , \
'family-attention-time.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.8 dt 1 lc rgb '#2ca02c' title "cpu  cpu/flash  prefill"  , \
'family-attention-time.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.8 dt 2 lc rgb '#2ca02c' title "cpu  cpu/flash  decode"  , \
'family-attention-time.dat' index 6 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.8 dt 1 lc rgb '#ff7f0e' title "cpu  cpu/naive  prefill"  , \
'family-attention-time.dat' index 7 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.8 dt 2 lc rgb '#ff7f0e' title "cpu  cpu/naive  decode"  , \
'family-attention-time.dat' index 8 using 1:2:3:4 with yerrorlines lw 2 pt 9 ps 0.8 dt 2 lc rgb '#9467bd' title "x86-bf16  x86/decode-avx2  decode"  , \
'family-attention-time.dat' index 9 using 1:2:3:4 with yerrorlines lw 2 pt 9 ps 0.8 dt 2 lc rgb '#8c564b' title "x86-bf16  x86/decode_bf16kv-avx2  decode"  , \
'family-attention-time.dat' index 10 using 1:2:3:4 with yerrorlines lw 2 pt 9 ps 0.8 dt 2 lc rgb '#e377c2' title "x86-bf16  x86/flash-avx2  decode"
